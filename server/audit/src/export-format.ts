/**
 * The audit log's export formats: JSON Lines (one object per record, the
 * stored row's names) and CSV (RFC 4180, safe to open in a spreadsheet).
 */
import type { AuditRecord } from './chain';
import { toRow } from './store-chain';

/** The export's shape: the stored row (snake_case, as the API), time as ISO 8601 beside the epoch, detail as an object. */
export function exportObject(r: AuditRecord): Record<string, unknown> {
  const { seq, ...row } = toRow(r);
  return { seq, time: new Date(r.ts).toISOString(), ...row, detail: r.detail };
}

export const CSV_COLUMNS = ['seq', 'time', 'actor', 'actor_role', 'via', 'resource', 'action', 'target', 'ip', 'user_agent', 'outcome', 'detail', 'prev_hash', 'hash'] as const;

/** RFC 4180: every field quoted when it holds a comma, quote or line break; a leading =+-@ is prefixed with ' so spreadsheets do not run it. */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: AuditRecord): string {
  const o = exportObject(r);
  return CSV_COLUMNS.map((c) => csvField(o[c])).join(',') + '\r\n';
}
