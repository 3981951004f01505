import { ApiError, apiErrors } from './api-error';
import { apiUrl, requestJson, type SendRequest } from './api-request';

class OneError extends ApiError {
  override readonly name = 'OneError';
}
const errors = apiErrors(OneError);

describe('apiUrl', () => {
  it('puts the path under the base URL and encodes segments and parameters', () => {
    expect(apiUrl('http://h:8888/base', 'api/connections')).toBe('http://h:8888/base/api/connections');
    expect(apiUrl('/', 'api/connections', ['a/b ?', 'test'])).toBe('/api/connections/a%2Fb%20%3F/test');
    expect(apiUrl('/', 'api/me', [], { permissions: '{"c":["read"]}', empty: '', none: undefined })).toBe('/api/me?permissions=%7B%22c%22%3A%5B%22read%22%5D%7D');
  });
});

describe('requestJson', () => {
  const answer =
    (status: number, body: string): SendRequest =>
    async () =>
      new Response(status === 204 ? null : body, { status });

  it('sends JSON with no-cache and returns the parsed answer (undefined for an empty one)', async () => {
    const seen: RequestInit[] = [];
    const send: SendRequest = async (_url, init) => (seen.push(init), new Response('{"ok":true}', { status: 200 }));
    await expect(requestJson(send, errors, OneError, { action: 'save', url: '/x', method: 'POST', body: { a: 1 } })).resolves.toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ method: 'POST', cache: 'no-cache', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    await expect(requestJson(answer(204, ''), errors, OneError, { action: 'delete', url: '/x', method: 'DELETE' })).resolves.toBeUndefined();
  });

  it("throws the client's error: the server's message, no answer, not JSON", async () => {
    await expect(requestJson(answer(409, '{"message":"Cannot x: taken"}'), errors, OneError, { action: 'save', url: '/x' })).rejects.toMatchObject({ name: 'OneError', kind: 'conflict', message: 'Cannot x: taken' });
    const offline: SendRequest = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(requestJson(offline, errors, OneError, { action: 'save', url: '/x' })).rejects.toMatchObject({ kind: 'network', message: 'Cannot save: the server cannot be reached' });
    await expect(requestJson(answer(200, '<html>'), errors, OneError, { action: 'save', url: '/x' })).rejects.toMatchObject({ kind: 'invalid_response', status: 200 });
  });

  it('rethrows an abort as is', async () => {
    const abort = new AbortController();
    abort.abort();
    const err = new DOMException('aborted', 'AbortError');
    const send: SendRequest = async () => {
      throw err;
    };
    await expect(requestJson(send, errors, OneError, { action: 'save', url: '/x', signal: abort.signal })).rejects.toBe(err);
  });
});
