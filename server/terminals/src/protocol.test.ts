import { encodeServerMessage, parseClientMessage, TerminalProtocolError } from './protocol';

describe('terminado protocol', () => {
  it('reads stdin and set_size, ignores unknown types', () => {
    expect(parseClientMessage('["stdin", "ls\\r"]')).toEqual({ type: 'stdin', data: 'ls\r' });
    expect(parseClientMessage('["set_size", 24, 80, 480, 640]')).toEqual({ type: 'set_size', rows: 24, cols: 80 });
    expect(parseClientMessage('["something_new", 1]')).toBeUndefined();
  });

  it('refuses malformed frames with a reason', () => {
    for (const bad of ['not json', '{"a":1}', '[]', '["stdin", 5]', '["set_size", 0, 80]', '["set_size", 24, "80"]', '["set_size", 24, 1e9]']) {
      expect(() => parseClientMessage(bad)).toThrow(TerminalProtocolError);
    }
  });

  it('writes server frames as JSON arrays', () => {
    expect(encodeServerMessage(['setup', {}])).toBe('["setup",{}]');
    expect(encodeServerMessage(['disconnect', 1])).toBe('["disconnect",1]');
  });
});
