import { AppError, Logger } from '@workbench/core';
import { PINO_REDACT_PATHS, pinoRedaction, redactDeep, redactingLogger } from './redacting-logger';
import { SecretRedactor } from './redactor';

const SECRET = 'tr0ub4dor&3';
const redactor = new SecretRedactor([SECRET]);
const redact = (s: string) => redactor.redact(s);

type Line = { level: string; fields: object; msg: string };

function capturingLogger(bindings: object = {}, lines: Line[] = []): Logger & { lines: Line[] } {
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields: { ...bindings, ...fields }, msg });
  const logger: Logger & { lines: typeof lines } = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => capturingLogger({ ...bindings, ...more }, lines),
    isLevelEnabled: (level) => level !== 'debug',
  };
  return logger;
}

describe('redactDeep', () => {
  it('redacts strings at any depth without touching the input', () => {
    const input = { a: `x ${SECRET}`, list: [SECRET, 1, null, { deep: { deeper: `"${SECRET}"` } }], n: 5, ok: true };
    const out = redactDeep(input, redact);
    expect(out).toEqual({ a: 'x [REDACTED]', list: ['[REDACTED]', 1, null, { deep: { deeper: '"[REDACTED]"' } }], n: 5, ok: true });
    expect(input.a).toBe(`x ${SECRET}`);
  });

  it('redacts errors (message, stack, cause, own fields) and keeps their class', () => {
    const cause = new Error(`socket said ${SECRET}`);
    const err = Object.assign(new AppError('unavailable', `Cannot connect: password ${SECRET} rejected`, { cause }), { extra: SECRET });
    const out = redactDeep({ err }, redact) as { err: AppError & { extra: string } };
    expect(out.err).toBeInstanceOf(AppError);
    expect(out.err.message).toBe('Cannot connect: password [REDACTED] rejected');
    expect(out.err.stack).not.toContain(SECRET);
    expect((out.err.cause as Error).message).toBe('socket said [REDACTED]');
    expect(out.err.extra).toBe('[REDACTED]');
    expect(out.err.code).toBe('unavailable');
    expect(err.message).toContain(SECRET); // the original is untouched
  });

  it('survives cycles and leaves class instances alone', () => {
    const a: Record<string, unknown> = { s: SECRET };
    a.self = a;
    const when = new Date(0);
    expect(redactDeep({ a, when }, redact)).toEqual({ a: { s: '[REDACTED]', self: '[Circular]' }, when });
  });
});

describe('redactingLogger', () => {
  it('redacts fields, messages and child bindings at every level', () => {
    const inner = capturingLogger();
    const log = redactingLogger(inner, redact);
    log.info({ url: `postgres://u:${SECRET}@h` }, `connecting with ${SECRET}`);
    log.child({ conn: SECRET }).error({ err: new Error(SECRET) }, 'failed');
    log.warn({}, 'w');
    log.debug({}, 'd');
    expect(JSON.stringify(inner.lines)).not.toContain(SECRET);
    expect(inner.lines[0]).toEqual({ level: 'info', fields: { url: 'postgres://u:[REDACTED]@h' }, msg: 'connecting with [REDACTED]' });
    expect(inner.lines[1]!.fields).toMatchObject({ conn: '[REDACTED]' });
    expect(((inner.lines[1]!.fields as { err: Error }).err).message).toBe('[REDACTED]');
    expect(inner.lines.map((l) => l.level)).toEqual(['info', 'error', 'warn', 'debug']);
    expect(log.isLevelEnabled!('debug')).toBe(false);
  });

  it('follows a redactor that changes after the logger was made', () => {
    let current = new SecretRedactor([]);
    const inner = capturingLogger();
    const log = redactingLogger(inner, (s) => current.redact(s));
    log.info({}, `before ${SECRET}`);
    current = new SecretRedactor([SECRET]);
    log.info({}, `after ${SECRET}`);
    expect(inner.lines.map((l) => l.msg)).toEqual([`before ${SECRET}`, 'after [REDACTED]']);
  });
});

describe('pinoRedaction', () => {
  it('gives path redaction for credential-named fields and a logMethod hook that redacts every argument', () => {
    const options = pinoRedaction(redact);
    expect(options.redact.censor).toBe('[REDACTED]');
    expect(options.redact.paths).toEqual(expect.arrayContaining(['password', '*.password', 'authorization', '*.authorization']));
    expect(options.redact.paths).toEqual([...PINO_REDACT_PATHS]);
    const calls: unknown[][] = [];
    const self = { name: 'logger' };
    options.hooks.logMethod.call(
      self,
      [{ query: `select '${SECRET}'` }, 'msg %s', `arg ${SECRET}`],
      function (this: unknown, ...args: unknown[]) {
        expect(this).toBe(self);
        calls.push(args);
      },
    );
    expect(calls).toEqual([[{ query: "select '[REDACTED]'" }, 'msg %s', 'arg [REDACTED]']]);
  });
});
