/**
 * JS values into DuckDB: parameters to bind, and rows to append.
 *
 * Rows pulled from PostgreSQL arrive as `pg` returns them (int8 and numeric
 * as strings, Date, Buffer, parsed json, arrays, interval objects), so
 * `coerceForType` turns a loose JS value into what @duckdb/node-api's
 * JSToDuckDBValueConverter expects for the destination column type.
 */
import {
  DuckDBBlobValue,
  DuckDBDecimalType,
  DuckDBListType,
  DuckDBArrayType,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBTimestampValue,
  DuckDBTypeId,
  LIST,
  VARCHAR,
  listValue,
  structValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A parameter value as a DuckDB value, with an explicit type where DuckDB
 * cannot infer one (an empty list). Numbers, bigints, strings and booleans
 * bind as themselves; Date as TIMESTAMP (UTC); bytes as BLOB; arrays as
 * lists; plain objects as structs.
 */
export function toBindValue(v: unknown): { value: DuckDBValue; type?: DuckDBType } {
  if (v === undefined || v === null) return { value: null };
  switch (typeof v) {
    case 'number':
    case 'bigint':
    case 'string':
    case 'boolean':
      return { value: v };
    case 'object':
      break;
    default:
      return { value: String(v) };
  }
  if (v instanceof Date) return { value: new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n) };
  if (v instanceof Uint8Array) return { value: new DuckDBBlobValue(v) };
  if (Array.isArray(v)) {
    if (v.length === 0) return { value: listValue([]), type: LIST(VARCHAR) };
    return { value: listValue(v.map((x) => toBindValue(x).value)) };
  }
  if (isPlainObject(v)) {
    const entries: Record<string, DuckDBValue> = {};
    for (const [k, x] of Object.entries(v)) entries[k] = toBindValue(x).value;
    return { value: structValue(entries) };
  }
  // DuckDB value objects (and anything else) bind as they are.
  return { value: v as DuckDBValue };
}

const BOOLEAN_TEXT: Record<string, boolean> = { t: true, true: true, y: true, yes: true, on: true, 1: true, f: false, false: false, n: false, no: false, off: false, 0: false };

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a date or timestamp: ${String(v)}`);
  return d;
}

/** A decimal string (or number) as the scaled integer DuckDB stores, rounding half away from zero. */
export function scaledDecimal(v: unknown, scale: number): bigint {
  if (typeof v === 'bigint') return v * 10n ** BigInt(scale);
  const text = typeof v === 'number' ? (Math.abs(v) < 1e21 ? v.toFixed(Math.min(100, scale + 1)) : BigInt(v).toString()) : String(v).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new TypeError(`not a decimal number: ${text}`);
  const frac = (m[3] ?? '').padEnd(scale + 1, '0');
  let n = BigInt((m[2] || '0') + frac.slice(0, scale));
  if (Number(frac[scale]) >= 5) n += 1n;
  return m[1] === '-' ? -n : n;
}

/** `HH:MM:SS[.ffffff]` as microseconds since midnight. */
function timeMicros(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  const m = /^(\d{1,2}):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?/.exec(String(v));
  if (!m) throw new TypeError(`not a time of day: ${String(v)}`);
  const seconds = (Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0);
  return BigInt(seconds) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}

/** A `pg` interval object ({years, months, days, hours, minutes, seconds, milliseconds}) as DuckDB's parts. */
function intervalParts(v: unknown): { months: number; days: number; micros: bigint } {
  if (typeof v !== 'object' || v === null) throw new TypeError(`not an interval: ${String(v)}`);
  const o = v as Record<string, number | bigint | undefined>;
  if (typeof o.micros === 'bigint') return { months: Number(o.months ?? 0), days: Number(o.days ?? 0), micros: o.micros };
  const n = (k: string) => Number(o[k] ?? 0);
  const ms = ((n('hours') * 60 + n('minutes')) * 60 + n('seconds')) * 1000 + n('milliseconds');
  return { months: n('years') * 12 + n('months'), days: n('days'), micros: BigInt(Math.round(ms * 1000)) };
}

/**
 * `v` in the JS form JSToDuckDBValueConverter accepts for `type`; nested
 * values are coerced for their element types. Throws TypeError for a value
 * that cannot be that type.
 */
export function coerceForType(v: unknown, type: DuckDBType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
      const b = BOOLEAN_TEXT[String(v).trim().toLowerCase()];
      if (b === undefined) throw new TypeError(`not a boolean: ${String(v)}`);
      return b;
    }
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      const n = typeof v === 'number' ? v : Number(typeof v === 'bigint' ? v : String(v));
      if (Number.isNaN(n) && !(typeof v === 'string' && /^\s*nan\s*$/i.test(v))) throw new TypeError(`not a number: ${String(v)}`);
      return n;
    }
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return BigInt(Math.trunc(v));
      return BigInt(String(v).trim());
    case DuckDBTypeId.DECIMAL:
      return scaledDecimal(v, (type as DuckDBDecimalType).scale);
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      if (typeof v === 'object') return jsonText(v);
      return String(v);
    case DuckDBTypeId.UUID:
      return String(v);
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return toDate(v);
    case DuckDBTypeId.TIME:
      return timeMicros(v);
    case DuckDBTypeId.INTERVAL:
      return intervalParts(v);
    case DuckDBTypeId.BLOB:
      if (v instanceof Uint8Array) return v;
      return Buffer.from(typeof v === 'string' ? v : jsonText(v), 'utf8');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      if (!Array.isArray(v)) throw new TypeError(`not a list: ${String(v)}`);
      const item = (type as DuckDBListType | DuckDBArrayType).valueType;
      return v.map((x) => coerceForType(x, item));
    }
    case DuckDBTypeId.STRUCT: {
      if (typeof v !== 'object') throw new TypeError(`not a struct: ${String(v)}`);
      const st = type as DuckDBStructType;
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      st.entryNames.forEach((name, i) => {
        out[name] = coerceForType(src[name], st.entryTypes[i]!);
      });
      return out;
    }
    case DuckDBTypeId.MAP: {
      const mt = type as DuckDBMapType;
      const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? v.map((e: { key: unknown; value: unknown }) => [e.key, e.value]) : Object.entries(v as object);
      return entries.map(([key, value]) => ({ key: coerceForType(key, mt.keyType), value: coerceForType(value, mt.valueType) }));
    }
    default:
      return v;
  }
}
