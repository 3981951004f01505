/**
 * Rison: the compact JSON variant Superset's list endpoints take in their
 * `q` query parameter (Flask-AppBuilder's `@rison` decorator,
 * flask_appbuilder/api/__init__.py, parses it with the Python `prison`
 * package). Pure: no I/O.
 *
 * The grammar (the Rison spec, github.com/Nanonid/rison README.md):
 *   value   = object | array | '!t' | '!f' | '!n' | number | id | string
 *   object  = '(' [ key ':' value { ',' key ':' value } ] ')'   keys sorted when encoding
 *   array   = '!(' [ value { ',' value } ] ')'
 *   string  = "'" { char | '!!' | "!'" } "'"                      '!' escapes '!' and "'"
 *   id      = idstart { idchar }                                   an unquoted string
 *   number  = JSON's number, without '+' in the exponent
 * No whitespace outside quoted strings.
 *
 * Which strings may go unquoted differs between implementations: rison.js
 * forbids only " '!:(),*@$" in ids, Python's prison/rison allow only
 * letters, digits and "_-./~" (rison/constants.py, IDCHAR_PUNCTUATION).
 * The encoder leaves a string unquoted only when both would read it back
 * (ASCII letters, digits, "_-./~", not starting with '-' or a digit), and
 * quotes everything else; the decoder reads ids as prison does.
 */

export type RisonValue = null | boolean | number | string | readonly RisonValue[] | { readonly [key: string]: RisonValue | undefined };

/** An id both rison.js and prison read as a string: see the header. */
const SAFE_ID = /^[A-Za-z_./~][A-Za-z0-9_./~-]*$/;

/** Encode a JSON-like value as Rison. `undefined` object members are left out, as JSON.stringify does. */
export function risonEncode(value: RisonValue): string {
  if (value === null) return '!n';
  if (value === true) return '!t';
  if (value === false) return '!f';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('+', '') : '!n';
  if (typeof value === 'string') return encodeString(value);
  if (Array.isArray(value)) return `!(${(value as readonly RisonValue[]).map(risonEncode).join(',')})`;
  if (typeof value === 'object') {
    const obj = value as { readonly [key: string]: RisonValue | undefined };
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${encodeString(k)}:${risonEncode(obj[k] as RisonValue)}`);
    return `(${members.join(',')})`;
  }
  throw new TypeError(`Cannot encode as Rison: a ${typeof value}`);
}

function encodeString(s: string): string {
  if (SAFE_ID.test(s)) return s;
  return `'${s.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
}

export class RisonSyntaxError extends Error {
  override readonly name = 'RisonSyntaxError';
}

/** prison's id characters: letters, digits and "_-./~" (constants.py); an id may not start like a number. */
const ID_CHAR = /[A-Za-z0-9_./~-]/;
const NOT_ID_START = /[-0-9]/;

/** Decode one Rison value; throws RisonSyntaxError on anything else (trailing text included). */
export function risonDecode(text: string): RisonValue {
  const p = new Parser(text);
  const value = p.value();
  if (p.i !== text.length) throw new RisonSyntaxError(`unexpected text at ${p.i}: ${text.slice(p.i, p.i + 10)}`);
  return value;
}

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  value(): RisonValue {
    const c = this.s[this.i];
    if (c === undefined) throw new RisonSyntaxError('empty expression');
    if (c === '(') return this.object();
    if (c === '!') return this.bang();
    if (c === "'") return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (ID_CHAR.test(c) && !NOT_ID_START.test(c)) {
      const start = this.i;
      while (this.i < this.s.length && ID_CHAR.test(this.s[this.i]!)) this.i++;
      return this.s.slice(start, this.i);
    }
    throw new RisonSyntaxError(`invalid character: '${c}'`);
  }

  private object(): { [key: string]: RisonValue } {
    this.i++; // '('
    const out: { [key: string]: RisonValue } = {};
    if (this.s[this.i] === ')') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.value();
      if (typeof key !== 'string') throw new RisonSyntaxError('object keys must be strings');
      if (this.s[this.i] !== ':') throw new RisonSyntaxError("missing ':'");
      this.i++;
      out[key] = this.value();
      const c = this.s[this.i++];
      if (c === ')') return out;
      if (c !== ',') throw new RisonSyntaxError(c === undefined ? "unmatched '('" : "missing ','");
    }
  }

  private bang(): RisonValue {
    const c = this.s[this.i + 1];
    this.i += 2;
    if (c === 't') return true;
    if (c === 'f') return false;
    if (c === 'n') return null;
    if (c === '(') {
      const out: RisonValue[] = [];
      if (this.s[this.i] === ')') {
        this.i++;
        return out;
      }
      for (;;) {
        out.push(this.value());
        const d = this.s[this.i++];
        if (d === ')') return out;
        if (d !== ',') throw new RisonSyntaxError(d === undefined ? "unmatched '!('" : "missing ','");
      }
    }
    throw new RisonSyntaxError(c === undefined ? '"!" at end of input' : `unknown literal: "!${c}"`);
  }

  private string(): string {
    this.i++; // opening quote
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw new RisonSyntaxError('unmatched "\'"');
      if (c === "'") return out;
      if (c === '!') {
        const e = this.s[this.i++];
        if (e !== '!' && e !== "'") throw new RisonSyntaxError(`invalid string escape: "!${e ?? ''}"`);
        out += e;
      } else out += c;
    }
  }

  private number(): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e-?[0-9]+)?/.exec(this.s.slice(this.i));
    if (!m || m[0] === '-') throw new RisonSyntaxError('invalid number');
    this.i += m[0].length;
    return Number(m[0]);
  }
}
