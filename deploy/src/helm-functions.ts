/**
 * The Helm and Sprig template functions this renderer provides: the ones the
 * Workbench chart uses plus their close neighbours, each with the argument
 * rules of its Go signature (an `int` parameter refuses a float64 from the
 * values, a `string` one refuses nil), since those are what break charts.
 *
 * Helm's list: https://helm.sh/docs/chart_template_guide/function_list/
 */
import { createHash, randomInt } from 'node:crypto';
import { stringify } from 'yaml';
import { formatValue, goQuote, goTypeName, GoValue, isMap } from './go-format';
import { isTrue, TemplateFunction, TemplateSet } from './go-template-exec';

export interface HelmFunctionOptions {
  /** Random integer in [0, max): randAlphaNum's source (crypto by default). */
  randomInt?: (max: number) => number;
  /** Helm's `lookup`; `helm template` (no cluster) answers an empty map, the default here. */
  lookup?: (apiVersion: string, kind: string, namespace: string, name: string) => GoValue;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function helmFunctions(set: () => TemplateSet, options: HelmFunctionOptions = {}): Record<string, TemplateFunction> {
  const rand = options.randomInt ?? randomInt;
  return {
    include: (name, data) => set().execute(str(name), data),
    required: (message, value) => {
      if (value === undefined || value === null || value === '') throw new Error(str(message));
      return value;
    },
    fail: (message) => {
      throw new Error(str(message));
    },
    lookup: (apiVersion, kind, namespace, name) => options.lookup?.(str(apiVersion), str(kind), str(namespace), str(name)) ?? {},

    default: (fallback, ...given) => (given.length === 0 || empty(given[0]) ? fallback : given[0]),
    empty: (v) => empty(v),
    coalesce: (...vs) => vs.find((v: GoValue) => !empty(v)) ?? null,
    ternary: (whenTrue, whenFalse, cond) => (bool(cond) ? whenTrue : whenFalse),
    dict: (...kv) => {
      const out: Record<string, GoValue> = {};
      for (let i = 0; i < kv.length; i += 2) out[strval(kv[i])] = kv[i + 1] ?? '';
      return out;
    },
    list: (...vs) => vs,
    hasKey: (m, key) => {
      if (!isMap(m)) throw new Error(`wrong type for value; expected map[string]interface {}; got ${goTypeName(m)}`);
      return Object.prototype.hasOwnProperty.call(m, str(key));
    },

    quote: (...vs) => vs.filter((v) => v !== undefined && v !== null).map((v) => goQuote(strval(v))).join(' '),
    squote: (...vs) => vs.filter((v) => v !== undefined && v !== null).map((v) => `'${strval(v)}'`).join(' '),
    toString: (v: GoValue) => strval(v),
    int: (v) => toInt(v),
    toYaml: (v) => toYaml(v),
    toJson: (v) => toJson(v, 0),
    toPrettyJson: (v) => toJson(v, 2),
    indent: (n, s) => indent(int(n), str(s)),
    nindent: (n, s) => '\n' + indent(int(n), str(s)),
    trunc: (n, s) => {
      const c = Number(int(n));
      const t = str(s);
      if (c < 0 && t.length + c > 0) return t.slice(t.length + c);
      return c >= 0 && t.length > c ? t.slice(0, c) : t;
    },
    trim: (s) => str(s).trim(),
    trimSuffix: (suffix, s) => (str(s).endsWith(str(suffix)) ? str(s).slice(0, str(s).length - str(suffix).length) : str(s)),
    trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
    replace: (from, to, s) => str(s).split(str(from)).join(str(to)),
    lower: (s) => str(s).toLowerCase(),
    upper: (s) => str(s).toUpperCase(),
    contains: (sub, s) => str(s).includes(str(sub)),
    hasPrefix: (prefix, s) => str(s).startsWith(str(prefix)),
    hasSuffix: (suffix, s) => str(s).endsWith(str(suffix)),
    b64enc: (s) => Buffer.from(str(s)).toString('base64'),
    sha256sum: (s) => createHash('sha256').update(str(s)).digest('hex'),
    randAlphaNum: (n) => Array.from({ length: Number(int(n)) }, () => ALNUM[rand(ALNUM.length)]).join(''),
  };
}

/** Sprig's empty: nil, false, 0, "" and empty slices and maps. */
export function empty(v: GoValue): boolean {
  return !isTrue(v);
}

/** Sprig's strval: strings as they are, everything else as %v. */
function strval(v: GoValue): string {
  return typeof v === 'string' ? v : formatValue(v);
}

function str(v: GoValue): string {
  if (v === undefined || v === null) throw new Error('invalid value; expected string');
  if (typeof v !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

function int(v: GoValue): bigint {
  if (v === undefined || v === null) throw new Error('invalid value; expected int');
  if (typeof v !== 'bigint') throw new Error(`wrong type for value; expected int; got ${goTypeName(v)}`);
  return v;
}

function bool(v: GoValue): boolean {
  if (typeof v !== 'boolean') throw new Error(`wrong type for value; expected bool; got ${goTypeName(v)}`);
  return v;
}

/** Sprig's int (cast.ToInt): numbers truncate, numeric strings parse, anything else is 0. */
function toInt(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return BigInt(v.trim());
  return 0n;
}

function indent(n: bigint, s: string): string {
  const pad = ' '.repeat(Number(n));
  return pad + s.split('\n').join('\n' + pad);
}

/** Plain JSON data of a value: ints become numbers, missing becomes null, map keys sorted as Go's encoders do. */
export function toPlain(v: GoValue): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, toPlain(v[k])]));
  return v;
}

/** Helm's toYaml (sigs.k8s.io/yaml): YAML 1.1 quoting, sorted keys, unindented sequences, no trailing newline. */
export function toYaml(v: GoValue): string {
  const text = stringify(toPlain(v), { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** encoding/json: HTML-safe escapes for <, >, & and the line separators. */
function toJson(v: GoValue, spaces: number): string {
  return JSON.stringify(toPlain(v), null, spaces).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
