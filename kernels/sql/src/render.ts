/**
 * A query result as a Jupyter mime bundle: `text/plain` (psql-style aligned
 * columns), `text/html` (a compact table, every value escaped) and
 * `application/vnd.dataresource+json` (Frictionless Table Schema + rows as
 * JSON-safe objects, https://specs.frictionlessdata.io/table-schema/).
 *
 * Values may be plain JS (bigint, Date, Buffer, arrays, objects, as `pg`
 * returns them) or @duckdb/node-api value objects. Output depends only on
 * the input: UTC for dates, no locale formatting.
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  DuckDBVariantValue,
} from '@duckdb/node-api';
import { displayWidth, truncateToWidth } from './text-width';

export interface ResultColumn {
  name: string;
  /** The engine's type name: DuckDB (`INTEGER`, `DECIMAL(18,3)`, `VARCHAR[]`) or PostgreSQL (`int4`, `timestamptz`). */
  type: string;
}

/** What the engines return; `rows` may hold fewer than `rowCount` rows. */
export interface ResultSet {
  columns: readonly ResultColumn[];
  rows: readonly (readonly unknown[])[];
  /** Rows the query produced (or affected, for a command). */
  rowCount: number;
  truncated: boolean;
  elapsedMs?: number;
  /** For statements without a row result: "CREATE", "INSERT", ... */
  command?: string;
  /** A preview sent while the engine is still counting: rowCount is a lower bound. */
  counting?: boolean;
}

export type TableSchemaType = 'integer' | 'number' | 'string' | 'boolean' | 'date' | 'datetime' | 'any';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface DataResource {
  schema: { fields: { name: string; type: TableSchemaType }[]; primaryKey?: string[] };
  data: Record<string, JsonValue>[];
}

export interface MimeBundle {
  'text/plain': string;
  'text/html': string;
  'application/vnd.dataresource+json'?: DataResource;
}

export interface RenderOptions {
  /** Widest a text/plain cell may be, in terminal columns (default 40). */
  maxCellWidth?: number;
  /** Longest an HTML cell may be, in characters (default 500). */
  maxHtmlCellLength?: number;
  /** Columns that identify a row, for the Table Schema. */
  primaryKey?: readonly string[];
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT1|INT2|INT4|INT8|INT16|INT32|INT64|INT128|SMALLSERIAL|SERIAL|BIGSERIAL|SERIAL2|SERIAL4|SERIAL8|OID|BIGNUM|VARINT|LONG|SHORT|SIGNED)$/;
const NUMBER = /^(DOUBLE|FLOAT|FLOAT4|FLOAT8|REAL|DECIMAL|NUMERIC|DOUBLE PRECISION|MONEY)$/;
const DATETIME = /^(TIMESTAMP|TIMESTAMPTZ|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP_US|DATETIME|TIMESTAMP WITH TIME ZONE|TIMESTAMP WITHOUT TIME ZONE)$/;
const STRING = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|NAME|CHARACTER|CHARACTER VARYING|NVARCHAR|CITEXT|UUID|BLOB|BYTEA|BIT|BITSTRING|VARBIT|TIME|TIMETZ|TIME_NS|TIME WITH TIME ZONE|TIME WITHOUT TIME ZONE|INTERVAL|ENUM|INET|CIDR|MACADDR|XML)$/;

/** The Table Schema type of an engine type name (nested and unknown types are `any`). */
export function tableSchemaType(sqlType: string): TableSchemaType {
  const t = sqlType.trim().toUpperCase();
  if (t.endsWith(']') || /^(LIST|STRUCT|MAP|UNION|ARRAY|VARIANT|JSON|JSONB|_)/.test(t)) return 'any';
  const base = t.replace(/\s*\(.*\)\s*$/, '').replace(/\s+/g, ' ');
  if (INTEGER.test(base)) return 'integer';
  if (NUMBER.test(base)) return 'number';
  if (base === 'BOOLEAN' || base === 'BOOL' || base === 'LOGICAL') return 'boolean';
  if (base === 'DATE') return 'date';
  if (DATETIME.test(base)) return 'datetime';
  if (STRING.test(base)) return 'string';
  return 'any';
}

function isTzType(type: string | undefined): boolean {
  return type !== undefined && /TZ$|WITH TIME ZONE/i.test(type.trim());
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function utcDate(d: Date): string {
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${String(-y).padStart(6, '0')}` : y > 9999 ? `+${y}` : String(y).padStart(4, '0');
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** A JS Date as text: `YYYY-MM-DD` for DATE columns, else `YYYY-MM-DD HH:MM:SS[.mmm]` in UTC (`Z` for time-zone types). */
function formatDate(d: Date, type: string | undefined): string {
  if (Number.isNaN(d.getTime())) return 'Invalid Date';
  if (type !== undefined && tableSchemaType(type) === 'date') return utcDate(d);
  const ms = d.getUTCMilliseconds();
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${ms ? `.${String(ms).padStart(3, '0')}` : ''}`;
  return `${utcDate(d)} ${time}${isTzType(type) ? 'Z' : ''}`;
}

function hex(bytes: Uint8Array): string {
  return '\\x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

/** A nested element as DuckDB prints it: strings quoted, NULL bare. */
function nestedText(v: unknown, type?: string): string {
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  return formatValue(v, type);
}

/** One value as display text (no escaping, no truncation). */
export function formatValue(v: unknown, type?: string): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'object':
      break;
    default:
      return String(v);
  }
  if (v instanceof Date) return formatDate(v, type);
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return `[${v.map((x) => nestedText(x)).join(', ')}]`;
  if (isPlainObject(v)) return jsonText(v);
  return String(v);
}

/** Whether the decimal text has at most 15 significant digits, so a double holds it exactly. */
export function fitsDouble(decimal: string): boolean {
  return decimal.replace(/[-+.]/g, '').replace(/^0+/, '').replace(/0+$/, '').length <= 15;
}

/** `2024-01-02 03:04:05.123456+00` -> `2024-01-02T03:04:05.123456+00:00`; infinities and BC dates stay text. */
function isoTimestamp(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-]\d\d)(?::?(\d\d))?)?$/.exec(text);
  if (!m) return text;
  return `${m[1]}T${m[2]}${m[3] === undefined ? '' : `${m[3]}:${m[4] ?? '00'}`}`;
}

/**
 * One value as JSON: bigint as a number when exact, else a string; dates as
 * ISO 8601 text; binary as base64; non-finite numbers as text; nested values
 * as arrays and objects.
 */
export function toJsonValue(v: unknown, type?: string): JsonValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'object':
      break;
    default:
      return String(v);
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    return type !== undefined && tableSchemaType(type) === 'date' ? utcDate(v) : v.toISOString();
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('base64');
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x));
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map((x) => toJsonValue(x));
  if (v instanceof DuckDBStructValue) return objectJson(v.entries);
  if (v instanceof DuckDBMapValue) return v.entries.map((e) => ({ key: toJsonValue(e.key), value: toJsonValue(e.value) }));
  if (v instanceof DuckDBUnionValue || v instanceof DuckDBVariantValue) return toJsonValue(v.value);
  if (v instanceof DuckDBDecimalValue) {
    const text = v.toString();
    return fitsDouble(text) ? Number(text) : text;
  }
  if (v instanceof DuckDBDateValue) return v.toString();
  if (
    v instanceof DuckDBTimestampValue ||
    v instanceof DuckDBTimestampTZValue ||
    v instanceof DuckDBTimestampSecondsValue ||
    v instanceof DuckDBTimestampMillisecondsValue ||
    v instanceof DuckDBTimestampNanosecondsValue
  ) {
    return isoTimestamp(v.toString());
  }
  if (isPlainObject(v)) return objectJson(v as Record<string, unknown>);
  return String(v);
}

function objectJson(entries: Readonly<Record<string, unknown>>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(entries)) out[k] = toJsonValue(x);
  return out;
}

/** Control characters as escapes, so one value stays on one text line. */
const CONTROL = /[\u0000-\u001f\u007f]/;

function oneLine(s: string): string {
  if (!CONTROL.test(s)) return s;
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

const HTML_SPECIAL = /[&<>"']/;

export function escapeHtml(s: string): string {
  if (!HTML_SPECIAL.test(s)) return s;
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `0.4 ms`, `12 ms`, `1.23 s`, `2 min 5.0 s`. */
export function formatElapsed(ms: number): string {
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${((ms - min * 60_000) / 1000).toFixed(1)} s`;
}

const DML = /^(INSERT|UPDATE|DELETE|MERGE|COPY|SELECT|MOVE|FETCH)\b/i;

/**
 * The status line: "N rows × M columns", then "showing first K of N rows"
 * when not every row is shown, then the elapsed time. For a command:
 * "INSERT · 5 rows affected · 3 ms".
 */
export function summaryLine(result: ResultSet): string {
  const parts: string[] = [];
  if (result.columns.length === 0) {
    const command = result.command ?? 'OK';
    parts.push(command);
    if (DML.test(command)) parts.push(`${plural(result.rowCount, 'row', 'rows')} affected`);
  } else {
    if (result.counting) {
      parts.push(`more than ${plural(result.rows.length, 'row', 'rows')} × ${plural(result.columns.length, 'column', 'columns')}`, `showing first ${result.rows.length} rows`, 'counting the rest…');
    } else {
      parts.push(`${plural(result.rowCount, 'row', 'rows')} × ${plural(result.columns.length, 'column', 'columns')}`);
      if (result.truncated || result.rows.length < result.rowCount) parts.push(`showing first ${result.rows.length} of ${result.rowCount} rows`);
    }
  }
  if (result.elapsedMs !== undefined) parts.push(formatElapsed(result.elapsedMs));
  return parts.join(' · ');
}

function isNumeric(type: string): boolean {
  const t = tableSchemaType(type);
  return t === 'integer' || t === 'number';
}

/** Each value's display text (formatValue), computed once for both text renderings. */
function formatCells(result: ResultSet): string[][] {
  const types = result.columns.map((c) => c.type);
  return result.rows.map((row) => types.map((t, i) => formatValue(row[i], t)));
}

/** psql-style aligned text: header, rule, rows, then the summary line. */
export function renderText(result: ResultSet, opts: RenderOptions = {}, cells: readonly (readonly string[])[] = formatCells(result)): string {
  if (result.columns.length === 0) return summaryLine(result);
  const max = Math.max(2, opts.maxCellWidth ?? 40);
  const n = result.columns.length;
  const right = result.columns.map((c) => isNumeric(c.type));
  const header = result.columns.map((c) => truncateToWidth(oneLine(c.name), max));
  const widths = header.map((h) => displayWidth(h));
  const body: string[][] = [];
  const bodyWidths: number[][] = [];
  for (const row of cells) {
    const texts: string[] = new Array<string>(n);
    const ws: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const t = truncateToWidth(oneLine(row[i]!), max);
      const w = displayWidth(t);
      texts[i] = t;
      ws[i] = w;
      if (w > widths[i]!) widths[i] = w;
    }
    body.push(texts);
    bodyWidths.push(ws);
  }
  const line = (texts: readonly string[], ws: readonly number[]) => {
    let out = ' ';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ' | ';
      const fill = ' '.repeat(widths[i]! - ws[i]!);
      out += right[i] ? fill + texts[i]! : texts[i]! + fill;
    }
    return (out + ' ').trimEnd();
  };
  const lines = [line(header, header.map((h) => displayWidth(h))), widths.map((w) => '-'.repeat(w + 2)).join('+')];
  for (let r = 0; r < body.length; r++) lines.push(line(body[r]!, bodyWidths[r]!));
  lines.push(`(${summaryLine(result)})`);
  return lines.join('\n');
}

/** A compact HTML table; every name, type and value is escaped. */
export function renderHtml(result: ResultSet, opts: RenderOptions = {}, cells: readonly (readonly string[])[] = formatCells(result)): string {
  const summary = escapeHtml(summaryLine(result));
  if (result.columns.length === 0) return `<div class="wb-sql-status">${summary}</div>`;
  const max = Math.max(2, opts.maxHtmlCellLength ?? 500);
  const n = result.columns.length;
  const align = result.columns.map((c) => (isNumeric(c.type) ? ' style="text-align:right"' : ' style="text-align:left"'));
  // Numbers align right through the row's style (and JupyterLab's own table CSS); only
  // left-aligned cells carry a style each, which keeps a 1000-row numeric table small.
  const numeric = result.columns.map((c) => isNumeric(c.type));
  const anyNumeric = numeric.some(Boolean);
  const cellAlign = numeric.map((num, i) => (num ? '' : align[i]!));
  const open = cellAlign.map((a) => `<td${a}>`);
  const nullCell = cellAlign.map((a) => `<td${a}><i>NULL</i></td>`);
  const tr = anyNumeric ? '<tr style="text-align:right">' : '<tr>';
  const head = result.columns.map((c, i) => `<th title="${escapeHtml(c.type)}"${align[i]}>${escapeHtml(c.name)}</th>`).join('');
  let rows = '';
  for (let r = 0; r < cells.length; r++) {
    const row = result.rows[r]!;
    const texts = cells[r]!;
    let line = tr;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (v === null || v === undefined) {
        line += nullCell[i]!;
        continue;
      }
      const s = texts[i]!;
      line += open[i]! + escapeHtml(s.length > max ? s.slice(0, max - 1) + '…' : s) + '</td>';
    }
    rows += line + '</tr>\n';
  }
  return `<table class="wb-sql-result">\n<caption style="caption-side:bottom;text-align:left">${summary}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}</tbody>\n</table>`;
}

/** Names made unique for row objects: a second `id` becomes `id_2`. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let out = name;
    for (let k = 2; seen.has(out); k++) out = `${name}_${k}`;
    seen.add(out);
    return out;
  });
}

export function renderDataResource(result: ResultSet, opts: RenderOptions = {}): DataResource {
  const names = uniqueNames(result.columns.map((c) => c.name));
  const fields = result.columns.map((c, i) => ({ name: names[i]!, type: tableSchemaType(c.type) }));
  const data = result.rows.map((row) => {
    const o: Record<string, JsonValue> = {};
    result.columns.forEach((c, i) => {
      o[names[i]!] = toJsonValue(row[i], c.type);
    });
    return o;
  });
  const schema: DataResource['schema'] = { fields };
  if (opts.primaryKey && opts.primaryKey.length > 0) schema.primaryKey = [...opts.primaryKey];
  return { schema, data };
}

/** The mime bundle for an execute_result / display_data. Commands get no data resource. */
export function renderResult(result: ResultSet, opts: RenderOptions = {}): MimeBundle {
  const cells = formatCells(result);
  const bundle: MimeBundle = { 'text/plain': renderText(result, opts, cells), 'text/html': renderHtml(result, opts, cells) };
  if (result.columns.length > 0) bundle['application/vnd.dataresource+json'] = renderDataResource(result, opts);
  return bundle;
}
