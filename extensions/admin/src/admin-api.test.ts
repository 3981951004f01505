import { AdminError, apiUrl, errorFromResponse, errorText, networkError } from './admin-api';

describe('apiUrl', () => {
  it('puts the path under the base URL, with or without its trailing slash', () => {
    expect(apiUrl('http://h:8888/', 'api/tokens')).toBe('http://h:8888/api/tokens');
    expect(apiUrl('http://h:8888/base', 'api/me')).toBe('http://h:8888/base/api/me');
    expect(apiUrl('/jh/user/x/', 'api/audit/verify')).toBe('/jh/user/x/api/audit/verify');
  });

  it('percent-encodes each path segment, so any username or id is one segment', () => {
    expect(apiUrl('/', 'api/users', ['alice@example.com'])).toBe('/api/users/alice%40example.com');
    expect(apiUrl('/', 'api/users', ['a/b ?#%'])).toBe('/api/users/a%2Fb%20%3F%23%25');
    expect(apiUrl('/', 'api/tokens', ['3f2c'])).toBe('/api/tokens/3f2c');
  });

  it('percent-encodes parameters and leaves out undefined and empty ones', () => {
    const url = apiUrl('http://h/', 'api/audit', [], { since: '2026-03-10T11:00:00.000Z', user: 'a&b=c', action: undefined, resource: '', limit: '200' });
    expect(url).toBe('http://h/api/audit?since=2026-03-10T11%3A00%3A00.000Z&user=a%26b%3Dc&limit=200');
    expect(new URL(url).searchParams.get('user')).toBe('a&b=c');
    expect(apiUrl('/', 'api/audit', [], { user: undefined })).toBe('/api/audit');
  });
});

describe('errorFromResponse', () => {
  it("uses the server's message and maps the status to a kind", () => {
    const body = JSON.stringify({ message: 'Cannot update user victor: it would leave no admin', reason: null, code: 'conflict' });
    expect(errorFromResponse('update user victor', 409, body)).toMatchObject({ kind: 'conflict', status: 409, message: 'Cannot update user victor: it would leave no admin' });
    expect(errorFromResponse('a', 400, '{"message":"bad"}').kind).toBe('bad_request');
    expect(errorFromResponse('a', 401, '{"message":"who"}').kind).toBe('forbidden');
    expect(errorFromResponse('a', 403, '{"message":"no"}').kind).toBe('forbidden');
    expect(errorFromResponse('a', 404, '{"message":"gone"}').kind).toBe('not_found');
    expect(errorFromResponse('a', 503, '{"message":"later"}').kind).toBe('unavailable');
    expect(errorFromResponse('a', 500, '{"message":"Internal server error: see the server log"}').kind).toBe('server');
    expect(errorFromResponse('a', 500, '')).toBeInstanceOf(AdminError);
  });

  it('falls back to a generic message for bodies without one', () => {
    expect(errorFromResponse('load the users', 502, '<html>Bad Gateway</html>').message).toBe('Cannot load the users: the server answered 502');
    expect(errorFromResponse('load the users', 500, '{"message":"  "}').message).toBe('Cannot load the users: the server answered 500');
    expect(errorFromResponse('load the users', 500, '["x"]').message).toBe('Cannot load the users: the server answered 500');
  });
});

describe('networkError and errorText', () => {
  it('says the server cannot be reached and keeps the cause', () => {
    const cause = new TypeError('fetch failed');
    const err = networkError('load your API tokens', cause);
    expect(err).toMatchObject({ kind: 'network', status: null, message: 'Cannot load your API tokens: the server cannot be reached' });
    expect(err.cause).toBe(cause);
  });

  it('reads any failure as a sentence', () => {
    expect(errorText(new AdminError('forbidden', 'Cannot read audit: admin only', 403), 'x')).toBe('Cannot read audit: admin only');
    expect(errorText(new Error('boom'), 'load the audit log')).toBe('Cannot load the audit log: boom');
    expect(errorText('nope', 'load the audit log')).toBe('Cannot load the audit log');
  });
});
