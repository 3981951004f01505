import { SseParser, type SseEvent } from './sse-parser';

/** What the server writes (routes/pipelines.ts): `event: <type>\ndata: <json>\n\n`. */
const STREAM = [
  'event: run\ndata: {"id":"r1","status":"running","finishedAt":null,"error":null}\n\n',
  'event: log\ndata: {"taskId":"extract","attempt":1,"seq":1,"at":"2026-03-03T06:00:01.000Z","stream":"stdout","cell":1,"text":"héllo ✓\\n"}\n\n',
  ': a comment line, ignored\n',
  'event: task\ndata: {"runId":"r1","taskId":"extract","attempt":1,"kind":"finished"}\n\n',
  'event: end\ndata: {"status":"succeeded"}\n\n',
].join('');

const feed = (chunks: string[]): SseEvent[] => {
  const p = new SseParser();
  const out = chunks.flatMap((c) => p.push(c));
  return [...out, ...p.end()];
};

describe('SseParser', () => {
  const whole = feed([STREAM]);

  it('reads the server’s events: type, JSON data, comments skipped', () => {
    expect(whole.map((e) => e.type)).toEqual(['run', 'log', 'task', 'end']);
    expect(JSON.parse(whole[1]!.data)).toMatchObject({ taskId: 'extract', text: 'héllo ✓\n' });
  });

  it('gives the same events however the stream is cut: at every position into two, and into single characters', () => {
    for (let i = 1; i < STREAM.length; i++) expect(feed([STREAM.slice(0, i), STREAM.slice(i)])).toEqual(whole);
    expect(feed([...STREAM])).toEqual(whole);
  });

  it('emits an event only once its blank line arrived', () => {
    const p = new SseParser();
    expect(p.push('event: end\ndata: {"status"')).toEqual([]);
    expect(p.push(':"failed"}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ type: 'end', data: '{"status":"failed"}', lastEventId: '' }]);
  });

  it('takes CR LF, CR and LF line ends, including a CR LF split across chunks', () => {
    expect(feed(['data: a\r', '\ndata: b\r\n\r', '\n'])).toEqual([{ type: 'message', data: 'a\nb', lastEventId: '' }]);
    expect(feed(['data: x\r\rdata: y\n\n'])).toEqual([
      { type: 'message', data: 'x', lastEventId: '' },
      { type: 'message', data: 'y', lastEventId: '' },
    ]);
  });

  it('follows the standard: one space after the colon dropped, multi-line data, id and retry, BOM, no event without data', () => {
    const p = new SseParser();
    const events = [...p.push('\uFEFFid: 7\nretry: 2500\ndata:  two spaces\ndata\nfield-without-colon\n\nevent: empty\n\n'), ...p.end()];
    expect(events).toEqual([{ type: 'message', data: ' two spaces\n', lastEventId: '7' }]);
    expect(p.retryMs).toBe(2500);
    expect(p.lastEventId).toBe('7');
  });

  it('drops an event cut off by the end of the stream', () => {
    expect(feed(['event: log\ndata: {"partial":'])).toEqual([]);
    expect(feed(['data: done\n\ndata: cut'])).toEqual([{ type: 'message', data: 'done', lastEventId: '' }]);
  });
});
