/**
 * Wiring a redactor into logging. `redactingLogger` wraps any core Logger
 * (fields and message); `pinoRedaction` gives the same for a pino
 * instance built in server/app, plus pino's own path-based redaction of
 * fields that are credentials by name, whatever their value.
 */
import { Logger } from '@workbench/core';
import { REDACTED } from './redactor';

export type Redact = (text: string) => string;

const MAX_DEPTH = 12;

/**
 * A copy of `value` with every string (at any depth, in plain objects,
 * arrays and Errors, including message, stack and cause) passed through
 * `redact`. Other objects (Dates, Buffers, class instances) are kept as
 * they are; cycles become "[Circular]".
 */
export function redactDeep(value: unknown, redact: Redact): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redact(v);
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return '[Circular]';
    if (depth > MAX_DEPTH) return '[Too deep]';
    if (Array.isArray(v)) {
      seen.add(v);
      const out = v.map((x) => walk(x, depth + 1));
      seen.delete(v);
      return out;
    }
    if (v instanceof Error) {
      seen.add(v);
      const copy = Object.create(Object.getPrototypeOf(v)) as Error;
      for (const key of ['name', 'message', 'stack'] as const) {
        if (typeof v[key] === 'string') Object.defineProperty(copy, key, { value: redact(v[key]!), writable: true, configurable: true, enumerable: false });
      }
      if (v.cause !== undefined) Object.defineProperty(copy, 'cause', { value: walk(v.cause, depth + 1), writable: true, configurable: true, enumerable: false });
      for (const [k, x] of Object.entries(v)) (copy as unknown as Record<string, unknown>)[k] = walk(x, depth + 1);
      seen.delete(v);
      return copy;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    seen.add(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    seen.delete(v);
    return out;
  };
  return walk(value, 0);
}

/** A Logger that redacts fields and message before handing them to `inner`; children redact too. */
export function redactingLogger(inner: Logger, redact: Redact): Logger {
  const wrapped: Logger = {
    debug: (fields, msg) => inner.debug(redactDeep(fields, redact) as object, redact(msg)),
    info: (fields, msg) => inner.info(redactDeep(fields, redact) as object, redact(msg)),
    warn: (fields, msg) => inner.warn(redactDeep(fields, redact) as object, redact(msg)),
    error: (fields, msg) => inner.error(redactDeep(fields, redact) as object, redact(msg)),
    child: (bindings) => redactingLogger(inner.child(redactDeep(bindings, redact) as object), redact),
  };
  if (inner.isLevelEnabled) wrapped.isLevelEnabled = (level) => inner.isLevelEnabled!(level);
  return wrapped;
}

/**
 * Field names that hold credentials whatever their value (pino `redact`
 * path syntax; one level of nesting). Defense in depth for values that
 * are not (yet) stored secrets, such as a password typed into a
 * connection form.
 */
export const PINO_REDACT_PATHS: readonly string[] = [
  'password',
  'passphrase',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'authorization',
  'cookie',
  'credentials',
].flatMap((k) => [k, `*.${k}`]);

/**
 * Options to spread into `pino({...})`: path redaction, and a logMethod
 * hook that passes every argument (message, interpolation values, field
 * objects, errors) through `redact`. `redact` is called per log call, so
 * it may consult a redactor that changes over time.
 *
 * Not covered: `child()` bindings (pino serializes them at child creation
 * and resets `formatters.bindings` for children). Wrapping the pino
 * instance in `redactingLogger` covers those too, and is the simpler
 * wiring where code logs through core's Logger.
 */
export function pinoRedaction(redact: Redact): {
  redact: { paths: string[]; censor: string };
  hooks: { logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void };
} {
  return {
    redact: { paths: [...PINO_REDACT_PATHS], censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => redactDeep(a, redact)));
      },
    },
  };
}
