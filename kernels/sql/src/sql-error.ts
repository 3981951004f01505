/**
 * The error a SQL cell shows: the engine's own message (no JS stack), and
 * where in the SQL it points when the engine says so.
 *
 * `position` is a 0-based UTF-16 offset into the text the error refers to
 * (the statement sent to the engine, or the cell after `relocate`);
 * `line` and `column` are 1-based and derived from it.
 *
 * It is an AppError so the one taxonomy holds: engine, parameter and magic
 * errors are `bad_request` (the user's SQL is wrong), an interrupt is
 * `timeout` when a deadline fired and `unavailable` otherwise (as
 * `abortError` in @workbench/core does for plain aborts).
 */
import { AppError, type ErrorCode } from '@workbench/core';

export type SqlErrorKind =
  /** The engine refused or failed the statement. */
  | 'engine'
  /** A `$name` / `:name` placeholder has no value. */
  | 'parameter'
  /** A malformed `%%sql` / `%connect` / `-- connection:` line. */
  | 'magic'
  /** The query was interrupted through its AbortSignal. */
  | 'interrupted';

export interface SqlErrorInit {
  kind: SqlErrorKind;
  /** The engine's exception type ("Parser", "Catalog", "Binder", ...), when it has one. */
  engineType?: string;
  position?: number;
  /** The text `position` refers to; line and column are computed from it. */
  text?: string;
  code?: ErrorCode;
}

export class SqlError extends AppError {
  readonly kind: SqlErrorKind;
  readonly engineType: string | undefined;
  readonly position: number | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, init: SqlErrorInit) {
    super(init.code ?? (init.kind === 'interrupted' ? 'unavailable' : 'bad_request'), message);
    this.kind = init.kind;
    this.engineType = init.engineType;
    this.position = init.position;
    if (init.position !== undefined && init.text !== undefined) {
      const { line, column } = lineAndColumn(init.text, init.position);
      this.line = line;
      this.column = column;
    }
  }

  /**
   * The same error with its position moved into another text, e.g. from a
   * rewritten statement back to the cell: `map` turns the old offset into an
   * offset of `text`.
   */
  relocate(text: string, map: (position: number) => number): SqlError {
    if (this.position === undefined) return this;
    return new SqlError(this.message, {
      kind: this.kind,
      engineType: this.engineType,
      position: map(this.position),
      text,
      code: this.code,
    });
  }

  /**
   * Lines for a Jupyter `traceback`: the message, then (when the error has a
   * position in `text`) the offending line with a caret under the column,
   * the way psql and the DuckDB shell show it.
   */
  traceback(text?: string): string[] {
    const out = [this.message];
    if (text === undefined || this.position === undefined || this.line === undefined || this.column === undefined) return out;
    const src = text.split('\n')[this.line - 1];
    if (src === undefined) return out;
    const prefix = `LINE ${this.line}: `;
    out.push(prefix + src, ' '.repeat(prefix.length + this.column - 1) + '^');
    return out;
  }
}

/** The error of a query whose AbortSignal fired: `timeout` for a deadline, else `unavailable`. */
export function interruptedError(signal: AbortSignal): SqlError {
  const reason: unknown = signal.reason;
  const timedOut = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
  return new SqlError(timedOut ? 'Cannot run query: timed out' : 'Cannot run query: interrupted', { kind: 'interrupted', code: timedOut ? 'timeout' : 'unavailable' });
}

export function isSqlError(err: unknown, kind?: SqlErrorKind): err is SqlError {
  return err instanceof SqlError && (kind === undefined || err.kind === kind);
}

/** 1-based line and column (UTF-16 units) of a 0-based offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const at = Math.max(0, Math.min(position, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

/** The UTF-16 offset of a UTF-8 byte offset (DuckDB reports byte offsets). */
export function utf16OffsetOfUtf8(text: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = text.codePointAt(i)!;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c >= 0x10000) i++;
  }
  return text.length;
}
