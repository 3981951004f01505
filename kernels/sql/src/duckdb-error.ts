/**
 * DuckDB errors as SqlErrors. The engine opens databases with
 * `errors_as_json`, so errors read `{"exception_type", "exception_message",
 * "position"}` (position in UTF-8 bytes, into the whole SQL text sent).
 */
import { SqlError, utf16OffsetOfUtf8 } from './sql-error';

/**
 * An engine error as a SqlError, positioned in `sql`. Without
 * `errors_as_json` (a user may `SET errors_as_json = false`) the message is
 * kept as it is, without a position.
 */
export function toSqlError(err: unknown, sql: string): SqlError {
  if (err instanceof SqlError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const brace = raw.indexOf('{');
  if (brace >= 0) {
    try {
      const info = JSON.parse(raw.slice(brace)) as Record<string, unknown>;
      if (typeof info.exception_type === 'string' && typeof info.exception_message === 'string') {
        const bytes = typeof info.position === 'string' ? Number(info.position) : NaN;
        return new SqlError(`${info.exception_type} Error: ${info.exception_message}`, {
          kind: 'engine',
          engineType: info.exception_type,
          position: Number.isInteger(bytes) ? utf16OffsetOfUtf8(sql, bytes) : undefined,
          text: sql,
        });
      }
    } catch {
      // not JSON after all: fall through
    }
  }
  const m = /^(?:Failed to extract statements: )?([A-Za-z ]+?) Error: /.exec(raw);
  return new SqlError(raw.replace(/^Failed to extract statements: /, ''), { kind: 'engine', engineType: m?.[1] });
}
