import { errorFromResponse, historyUrl, HistoryError, networkError } from './history-api';

describe('historyUrl', () => {
  it('puts the endpoint under the base URL, with or without its trailing slash', () => {
    expect(historyUrl('http://h:8888/', 'versions', { path: 'a.ipynb' })).toBe('http://h:8888/api/history?path=a.ipynb');
    expect(historyUrl('http://h:8888/base', 'diff', { path: 'a.ipynb', from: 'abc', to: 'working' })).toBe('http://h:8888/base/api/history/diff?path=a.ipynb&from=abc&to=working');
    expect(historyUrl('/jh/user/x/', 'restore')).toBe('/jh/user/x/api/history/restore');
    expect(historyUrl('/', 'content', { path: 'f', version: 'v' })).toBe('/api/history/content?path=f&version=v');
  });

  it('percent-encodes every parameter, so any file name survives', () => {
    const url = historyUrl('http://h/', 'versions', { path: 'dir/my notes #1 + a&b?=c %20 é.ipynb' });
    expect(url).toBe('http://h/api/history?path=dir%2Fmy%20notes%20%231%20%2B%20a%26b%3F%3Dc%20%2520%20%C3%A9.ipynb');
    expect(new URL(url).searchParams.get('path')).toBe('dir/my notes #1 + a&b?=c %20 é.ipynb');
  });

  it('leaves out undefined parameters', () => {
    expect(historyUrl('/', 'versions', { path: 'a', limit: undefined })).toBe('/api/history?path=a');
  });
});

describe('errorFromResponse', () => {
  it("uses the server's message and maps the status to a kind", () => {
    const body = JSON.stringify({ message: 'Cannot find x.ipynb: no such file and no history', reason: null, code: 'not_found' });
    const err = errorFromResponse('load the version history', 404, body);
    expect(err).toBeInstanceOf(HistoryError);
    expect(err).toMatchObject({ kind: 'not_found', status: 404, message: 'Cannot find x.ipynb: no such file and no history' });
    expect(errorFromResponse('a', 400, '{"message":"bad"}').kind).toBe('bad_request');
    expect(errorFromResponse('a', 403, '{"message":"no"}').kind).toBe('forbidden');
    expect(errorFromResponse('a', 409, '{"message":"no"}').kind).toBe('conflict');
    expect(errorFromResponse('a', 503, '{"message":"Cannot use version history: versioning is off"}').kind).toBe('unavailable');
    expect(errorFromResponse('a', 500, '{"message":"Internal server error: see the server log"}').kind).toBe('server');
  });

  it('falls back to a generic message for bodies without one', () => {
    expect(errorFromResponse('restore the version', 502, '<html>Bad Gateway</html>').message).toBe('Cannot restore the version: the server answered 502');
    expect(errorFromResponse('restore the version', 500, '').message).toBe('Cannot restore the version: the server answered 500');
    expect(errorFromResponse('restore the version', 500, '{"message":"  "}').message).toBe('Cannot restore the version: the server answered 500');
    expect(errorFromResponse('restore the version', 500, '["x"]').message).toBe('Cannot restore the version: the server answered 500');
  });
});

describe('networkError', () => {
  it('says the server cannot be reached and keeps the cause', () => {
    const cause = new TypeError('fetch failed');
    const err = networkError('load the changes', cause);
    expect(err).toMatchObject({ kind: 'network', status: null, message: 'Cannot load the changes: the server cannot be reached' });
    expect(err.cause).toBe(cause);
  });
});
