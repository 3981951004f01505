import { ApiError, apiErrors } from './api-error';
import { JsonReader } from './json-reader';

class OneError extends ApiError {
  override readonly name = 'OneError';
}
class OtherError extends ApiError {}
const one = apiErrors(OneError);

describe('apiErrors', () => {
  it("builds the given subclass, keeping kind, status and the server's message", () => {
    const err = one.errorFromResponse('save', 409, JSON.stringify({ message: ' Cannot save x: taken ', code: 'conflict' }));
    expect(err).toBeInstanceOf(OneError);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ name: 'OneError', kind: 'conflict', status: 409, message: 'Cannot save x: taken' });
    expect(one.errorFromResponse('save', 422, 'oops')).toMatchObject({ kind: 'bad_request', message: 'Cannot save: the server answered 422' });
    expect(new OtherError('server', 'x').name).toBe('ApiError');
  });

  it('networkError keeps the cause; errorText trusts only its own class', () => {
    const cause = new TypeError('fetch failed');
    expect(one.networkError('save', cause)).toMatchObject({ kind: 'network', status: null, cause });
    expect(one.errorText(new OneError('forbidden', 'Cannot save: no'), 'save')).toBe('Cannot save: no');
    expect(one.errorText(new OtherError('forbidden', 'raw'), 'save')).toBe('Cannot save: raw');
    expect(one.errorText(undefined, 'save')).toBe('Cannot save');
  });
});

describe('JsonReader', () => {
  it('throws the given class with kind invalid_response, naming the field', () => {
    const r = new JsonReader('the thing', OneError);
    expect(r.strings(['a'], 'names')).toEqual(['a']);
    expect(r.timeOrNull(null, 't')).toBeNull();
    expect(() => r.count(-1, 'n')).toThrow(new OneError('invalid_response', 'Cannot read the thing: the server answered with unexpected JSON (n is not a non-negative integer)'));
    expect(() => r.oneOf('c', new Set(['a', 'b']), 'k')).toThrow(expect.objectContaining({ name: 'OneError', kind: 'invalid_response' }));
  });
});
