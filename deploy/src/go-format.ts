/**
 * Go's fmt for the values a Helm template handles, so rendered text matches
 * what `helm template` prints.
 *
 * Value model (shared with the executor): `undefined` is a missing map key,
 * `null` is nil, `number` is float64 (every number Helm reads from YAML
 * values is one), `bigint` is int (number literals in templates, `len`,
 * `int`), arrays are slices and plain objects are map[string]interface{}.
 */

export type GoValue = undefined | null | string | number | bigint | boolean | GoValue[] | { [key: string]: GoValue };

export function isMap(v: unknown): v is Record<string, GoValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's type name of a value, as error messages show it. */
export function goTypeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** %v of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on (strconv 'g', -1). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** fmt's %v of one value (a template action prints nil as "<no value>" instead: see the executor). */
export function formatValue(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${formatValue(v[k])}`)
    .join(' ')}]`;
}

/** strconv.Quote: Go escapes, printable Unicode kept as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
    if (named[ch] !== undefined) out += named[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x80 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** fmt.Sprint: operands side by side, a space between two when neither is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs charts use: %s %v %d %q %t %f (with precision) and %%. */
export function sprintf(format: string, args: GoValue[]): string {
  let i = 0;
  const out = format.replace(/%(\.\d+)?([a-zA-Z%])/g, (_m, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    const bad = () => `%!${verb}(${goTypeName(a)}=${formatValue(a)})`;
    switch (verb) {
      case 'v':
        return formatValue(a);
      case 's':
        return typeof a === 'string' ? a : Array.isArray(a) || isMap(a) || a === null || a === undefined ? formatValue(a) : bad();
      case 'd':
        return typeof a === 'bigint' ? String(a) : bad();
      case 'q':
        return typeof a === 'string' ? goQuote(a) : typeof a === 'bigint' ? `'${String.fromCodePoint(Number(a))}'` : bad();
      case 't':
        return typeof a === 'boolean' ? String(a) : bad();
      case 'f':
        return typeof a === 'number' ? a.toFixed(precision ? Number(precision.slice(1)) : 6) : bad();
      default:
        throw new Error(`printf verb %${verb} is not supported by this renderer`);
    }
  });
  if (i < args.length) {
    return `${out}%!(EXTRA ${args
      .slice(i)
      .map((a) => `${goTypeName(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}
