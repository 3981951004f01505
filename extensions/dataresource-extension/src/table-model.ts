/**
 * A Table Schema data resource (`application/vnd.dataresource+json`, as
 * pandas and the Workbench SQL kernel emit it) turned into what the table
 * shows: columns with types and alignment, cell text with nulls marked, and
 * the footer. Pure: no DOM; values stay text (the renderer only ever sets
 * textContent), so no escaping happens or is needed here.
 * Spec: https://specs.frictionlessdata.io/table-schema/
 */

export const MIME_TYPE = 'application/vnd.dataresource+json';

export interface Field {
  name: string;
  /** Table Schema type ("integer", "number", "string", "datetime", ...); "any" when absent. */
  type: string;
}

export interface DataResource {
  fields: Field[];
  primaryKey: string[];
  rows: Record<string, unknown>[];
}

/**
 * What the SQL kernel puts in the output's metadata (`kernels/sql/src/sql-kernel.ts`):
 * `{ workbench: { connection, rows, truncated } }`, `rows` being the total the
 * query produced while only the first `sql.max_rows` travel. `elapsedMs` is
 * read when present.
 */
export interface KernelNote {
  rows?: number;
  truncated?: boolean;
  elapsedMs?: number;
  connection?: string;
}

export class TableError extends Error {
  override readonly name = 'TableError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @throws TableError when the payload is not a data resource with a schema and row objects. */
export function readDataResource(json: unknown): DataResource {
  if (!isRecord(json)) throw new TableError('Cannot show the table: the data resource is not a JSON object');
  const schema = json.schema;
  if (!isRecord(schema) || !Array.isArray(schema.fields)) throw new TableError('Cannot show the table: the data resource has no schema.fields');
  const fields = schema.fields.map((f, i): Field => {
    if (!isRecord(f) || typeof f.name !== 'string') throw new TableError(`Cannot show the table: field ${i} has no name`);
    return { name: f.name, type: typeof f.type === 'string' && f.type !== '' ? f.type : 'any' };
  });
  const pk = schema.primaryKey;
  const primaryKey = typeof pk === 'string' ? [pk] : Array.isArray(pk) ? pk.filter((k): k is string => typeof k === 'string') : [];
  const data = json.data ?? [];
  if (!Array.isArray(data)) throw new TableError('Cannot show the table: data is not an array of rows');
  // A row that is not an object (a malformed producer) reads as all-null rather than failing the whole table.
  const rows = data.map((r) => (isRecord(r) ? r : {}));
  return { fields, primaryKey, rows };
}

export function readKernelNote(metadata: unknown): KernelNote {
  const wb = isRecord(metadata) ? metadata.workbench : undefined;
  if (!isRecord(wb)) return {};
  const note: KernelNote = {};
  if (typeof wb.rows === 'number' && Number.isFinite(wb.rows) && wb.rows >= 0) note.rows = Math.floor(wb.rows);
  if (typeof wb.truncated === 'boolean') note.truncated = wb.truncated;
  if (typeof wb.elapsedMs === 'number' && Number.isFinite(wb.elapsedMs) && wb.elapsedMs >= 0) note.elapsedMs = wb.elapsedMs;
  if (typeof wb.connection === 'string') note.connection = wb.connection;
  return note;
}

export interface TableColumn {
  name: string;
  type: string;
  /** integer / number columns: right-aligned. */
  numeric: boolean;
  primaryKey: boolean;
}

export type CellKind = 'null' | 'number' | 'boolean' | 'string' | 'json';

export interface TableCell {
  text: string;
  kind: CellKind;
  /** The whole value when `text` was clipped. */
  full?: string;
}

export interface TableModel {
  columns: TableColumn[];
  /** The rows in the payload. */
  rows: readonly Record<string, unknown>[];
  /** Rows the result had (the kernel's count when it sent fewer). */
  totalRows: number;
  /** The producer sent only the first `rows.length` of `totalRows`. */
  truncated: boolean;
  /** "3 rows × 2 columns", "1,000 rows × 4 columns · showing first 1,000 of 25,310 rows · 12 ms". */
  footer: string;
}

export interface TableModelOptions {
  /** Longest cell text before it is clipped with "…"; default 500. */
  maxCellLength?: number;
}

const NUMERIC = new Set(['integer', 'number']);

const count = new Intl.NumberFormat('en-US');

function plural(n: number, word: string): string {
  return `${count.format(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** `0.4 ms`, `12 ms`, `1.23 s`, `2 min 5.0 s` (as the SQL kernel's text output). */
export function formatElapsed(ms: number): string {
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${((ms - min * 60_000) / 1000).toFixed(1)} s`;
}

export function tableModel(resource: DataResource, note: KernelNote = {}): TableModel {
  const pk = new Set(resource.primaryKey);
  const columns = resource.fields.map((f) => ({ name: f.name, type: f.type, numeric: NUMERIC.has(f.type), primaryKey: pk.has(f.name) }));
  const shown = resource.rows.length;
  const totalRows = note.rows !== undefined && note.rows > shown ? note.rows : shown;
  // The kernel may say "truncated" without a total; then the footer cannot say "of M".
  const truncated = totalRows > shown || note.truncated === true;
  const parts = [`${plural(totalRows, 'row')} × ${plural(columns.length, 'column')}`];
  if (totalRows > shown) parts.push(`showing first ${count.format(shown)} of ${plural(totalRows, 'row')}`);
  else if (truncated) parts.push(`showing the first ${plural(shown, 'row')} only`);
  if (note.elapsedMs !== undefined) parts.push(formatElapsed(note.elapsedMs));
  return { columns, rows: resource.rows, totalRows, truncated, footer: parts.join(' · ') };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One value as cell text: null/undefined marked as null, objects and arrays as JSON, text verbatim. */
export function formatCell(value: unknown, options: TableModelOptions = {}): TableCell {
  const max = Math.max(2, options.maxCellLength ?? 500);
  let cell: TableCell;
  if (value === null || value === undefined) return { text: 'null', kind: 'null' };
  if (typeof value === 'number') cell = { text: String(value), kind: 'number' };
  else if (typeof value === 'boolean') cell = { text: String(value), kind: 'boolean' };
  else if (typeof value === 'string') cell = { text: value, kind: 'string' };
  else {
    let json: string;
    try {
      json = JSON.stringify(value) ?? String(value);
    } catch {
      json = String(value);
    }
    cell = { text: json, kind: 'json' };
  }
  if (cell.text.length > max) return { ...cell, text: clip(cell.text, max), full: cell.text.slice(0, 10_000) };
  return cell;
}

/** Cells of rows [start, end), formatted only when drawn (a payload may hold many thousands). */
export function rowCells(model: TableModel, start: number, end: number, options: TableModelOptions = {}): TableCell[][] {
  const out: TableCell[][] = [];
  const stop = Math.min(end, model.rows.length);
  for (let r = Math.max(0, start); r < stop; r++) {
    const row = model.rows[r];
    // Own properties only: a column named "constructor" must not read Object.prototype.
    out.push(model.columns.map((c) => formatCell(Object.hasOwn(row, c.name) ? row[c.name] : undefined, options)));
  }
  return out;
}
