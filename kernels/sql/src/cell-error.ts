/**
 * Engine errors as the Jupyter errors a SQL cell shows: the engine's
 * message (DuckDB's SqlError, PostgreSQL's PgError) and, where the engine
 * names a position, the cell's line with a caret under it.
 */
import { PgError } from './engine-postgres';
import { ExecutionError } from './kernel-server';
import { SqlError } from './sql-error';

/** Engine errors as Jupyter errors: the engine's message, and a caret under the position. */
export function toExecutionError(err: unknown, code: string, toCell?: (pos: number) => number): ExecutionError {
  if (err instanceof ExecutionError) return err;
  if (err instanceof SqlError) {
    const e = toCell && err.position !== undefined ? err.relocate(code, toCell) : err;
    return new ExecutionError(e.kind === 'interrupted' ? 'KeyboardInterrupt' : `${e.engineType ?? 'Sql'}Error`, e.message, caret(code, e.position, `${e.engineType ?? 'Sql'}Error: ${e.message}`));
  }
  if (err instanceof PgError) {
    // PostgreSQL positions are 1-based characters in the statement.
    const pos = err.position !== undefined && toCell ? toCell(err.position - 1) : undefined;
    const name = err.code === '57014' ? 'KeyboardInterrupt' : 'PostgresError';
    const extra = [err.detail && `DETAIL: ${err.detail}`, err.hint && `HINT: ${err.hint}`].filter(Boolean).join('\n');
    return new ExecutionError(name, err.message, caret(code, pos, `${name}: ${err.message}${extra ? `\n${extra}` : ''}`));
  }
  return new ExecutionError('Error', err instanceof Error ? err.message : String(err));
}

function caret(code: string, position: number | undefined, headline: string): string[] {
  if (position === undefined || position < 0 || position > code.length) return [headline];
  const lineStart = code.lastIndexOf('\n', position - 1) + 1;
  const lineEnd = code.indexOf('\n', position);
  const line = code.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const lineNo = code.slice(0, lineStart).split('\n').length;
  return [headline, `LINE ${lineNo}: ${line}`, `${' '.repeat(`LINE ${lineNo}: `.length + (position - lineStart))}^`];
}
