/**
 * Primitives for checking an API's JSON once, at the trust boundary, so the
 * code behind it can trust its types. A mismatch (an older or newer server,
 * a proxy's page) throws the client's ApiError subclass with kind
 * `invalid_response`, naming the first field that is wrong:
 * "Cannot read <what>: the server answered with unexpected JSON (<where> is not <expected>)".
 */
import type { ApiError, ApiErrorClass } from './api-error';

export type Json = Record<string, unknown>;

export class JsonReader {
  /**
   * @param what what is being read, for the message ("the version list")
   * @param ErrorClass the error thrown on a mismatch
   */
  constructor(
    private readonly what: string,
    private readonly ErrorClass: ApiErrorClass<ApiError>,
  ) {}

  fail(where: string, expected: string): never {
    throw new this.ErrorClass('invalid_response', `Cannot read ${this.what}: the server answered with unexpected JSON (${where} is not ${expected})`);
  }
  object(v: unknown, where: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'an object');
    return v as Json;
  }
  array(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v)) this.fail(where, 'an array');
    return v;
  }
  string(v: unknown, where: string): string {
    if (typeof v !== 'string') this.fail(where, 'a string');
    return v;
  }
  stringOrNull(v: unknown, where: string): string | null {
    if (v === null) return null;
    if (typeof v !== 'string') this.fail(where, 'a string or null');
    return v;
  }
  strings(v: unknown, where: string): string[] {
    return this.array(v, where).map((s, i) => this.string(s, `${where}[${i}]`));
  }
  /** An ISO 8601 time the browser can read. */
  time(v: unknown, where: string): string {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) this.fail(where, 'an ISO 8601 time');
    return v;
  }
  timeOrNull(v: unknown, where: string): string | null {
    return v === null ? null : this.time(v, where);
  }
  count(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(where, 'a non-negative integer');
    return v;
  }
  oneOf<T extends string>(v: unknown, allowed: Set<string>, where: string): T {
    if (typeof v !== 'string' || !allowed.has(v)) this.fail(where, `one of ${[...allowed].join(', ')}`);
    return v as T;
  }
}
