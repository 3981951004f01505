/**
 * Tokens of Go's text/template (https://pkg.go.dev/text/template), the
 * language of Helm charts: text outside `{{ }}`, and inside an action the
 * identifiers, fields, variables, literals and punctuation of pipelines.
 *
 * Follows the Go lexer's rules for trim markers (`{{- ` and ` -}}` remove
 * the whitespace on that side, the marker needs a space), comments
 * (`{{/* ... *\/}}`, optionally with trim markers, nothing else in the
 * action) and field chains (`.a.b`, `$x.a`, `(...).a` continue only when
 * there is no space before the dot).
 */

export type TokenKind =
  | 'text'
  | 'left' // {{
  | 'right' // }}
  | 'ident' // function name or keyword
  | 'field' // .Name
  | 'variable' // $ or $name
  | 'dot' // .
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe' // |
  | 'declare' // :=
  | 'assign' // =
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text, except: strings hold their decoded value, fields and variables their name without `.`. */
  value: string;
  /** 1-based line of the token's start. */
  line: number;
  /** True when whitespace comes right before the token (field chains need none). */
  spaced: boolean;
}

export const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export class TemplateSyntaxError extends Error {}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

export function lex(name: string, src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNext = false;
  const newlines: number[] = [];
  for (let k = src.indexOf('\n'); k >= 0; k = src.indexOf('\n', k + 1)) newlines.push(k);
  /** 1 + the number of newlines before `pos` (binary search). */
  const lineAt = (pos: number) => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const fail = (pos: number, why: string): never => {
    throw new TemplateSyntaxError(`template: ${name}:${lineAt(pos)}: ${why}`);
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) tokens.push({ kind: 'text', value: text, line: lineAt(i), spaced: false });
      break;
    }
    let p = open + 2;
    const trimLeft = src[p] === '-' && isSpace(src[p + 1]);
    if (trimLeft) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    if (text) tokens.push({ kind: 'text', value: text, line: lineAt(i), spaced: false });
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close < 0) fail(open, 'unclosed comment');
      let q = close + 2;
      if (src.startsWith(' -}}', q)) {
        trimNext = true;
        q += 4;
      } else if (src.startsWith('}}', q)) {
        q += 2;
      } else {
        fail(open, 'comment ends before closing delimiter');
      }
      i = q;
      continue;
    }
    tokens.push({ kind: 'left', value: '{{', line: lineAt(open), spaced: false });
    i = lexAction(p);
  }
  tokens.push({ kind: 'eof', value: '', line: lineAt(src.length), spaced: false });
  return tokens;

  /** Tokens of one action from `p`; returns the position after its `}}`. */
  function lexAction(p: number): number {
    let spaced = true;
    for (;;) {
      const start = p;
      while (isSpace(src[p])) p++;
      if (p > start) spaced = true;
      if (p >= src.length) fail(start, 'unclosed action');
      if (p > start && src.startsWith('-}}', p)) {
        tokens.push({ kind: 'right', value: '}}', line: lineAt(p), spaced });
        trimNext = true;
        return p + 3;
      }
      if (src.startsWith('}}', p)) {
        tokens.push({ kind: 'right', value: '}}', line: lineAt(p), spaced });
        return p + 2;
      }
      const line = lineAt(p);
      const push = (kind: TokenKind, value: string, end: number) => {
        tokens.push({ kind, value, line, spaced });
        spaced = false;
        p = end;
      };
      const c = src[p]!;
      if (c === '"') {
        const [value, end] = readQuoted(p);
        push('string', value, end);
      } else if (c === '`') {
        const end = src.indexOf('`', p + 1);
        if (end < 0) fail(p, 'unterminated raw quoted string');
        push('string', src.slice(p + 1, end), end + 1);
      } else if (c === "'") {
        const end = src.indexOf("'", p + 1);
        if (end < 0) fail(p, 'unterminated character constant');
        const body = src.slice(p + 1, end);
        const ch = body.startsWith('\\') ? decodeEscape(body, p) : body;
        if ([...ch].length !== 1) fail(p, `malformed character constant: '${body}'`);
        push('number', String(ch.codePointAt(0)), end + 1);
      } else if (c === '.' && /[A-Za-z_]/.test(src[p + 1] ?? '')) {
        let e = p + 1;
        while (isAlnum(src[e])) e++;
        push('field', src.slice(p + 1, e), e);
      } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9]/.test(src[p + 1] ?? ''))) {
        const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?)/.exec(src.slice(p))!;
        if (isAlnum(src[p + m[0].length])) fail(p, `bad number syntax: "${src.slice(p, p + m[0].length + 1)}"`);
        push('number', m[0], p + m[0].length);
      } else if (c === '.') {
        push('dot', '.', p + 1);
      } else if (c === '$') {
        let e = p + 1;
        while (isAlnum(src[e])) e++;
        push('variable', src.slice(p, e), e);
      } else if (/[A-Za-z_]/.test(c)) {
        let e = p;
        while (isAlnum(src[e])) e++;
        const word = src.slice(p, e);
        push(word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident', word, e);
      } else if (c === '|') {
        push('pipe', '|', p + 1);
      } else if (c === ':' && src[p + 1] === '=') {
        push('declare', ':=', p + 2);
      } else if (c === '=') {
        push('assign', '=', p + 1);
      } else if (c === '(') {
        push('lparen', '(', p + 1);
      } else if (c === ')') {
        push('rparen', ')', p + 1);
      } else if (c === ',') {
        push('comma', ',', p + 1);
      } else {
        fail(p, `unexpected "${c}" in command`);
      }
    }
  }

  function readQuoted(p: number): [string, number] {
    let out = '';
    let q = p + 1;
    for (;;) {
      const ch = src[q];
      if (ch === undefined || ch === '\n') fail(p, 'unterminated quoted string');
      if (ch === '"') return [out, q + 1];
      if (ch === '\\') {
        const m = /^\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/.exec(src.slice(q));
        if (!m) fail(q, 'bad escape');
        out += decodeEscape(m![0], q);
        q += m![0].length;
      } else {
        out += ch;
        q++;
      }
    }
  }

  function decodeEscape(esc: string, pos: number): string {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    const body = esc.slice(1);
    if (body.length === 1 && simple[body] !== undefined) return simple[body]!;
    if (/^[xuU]/.test(body)) return String.fromCodePoint(parseInt(body.slice(1), 16));
    if (/^[0-7]{3}$/.test(body)) return String.fromCharCode(parseInt(body, 8));
    return fail(pos, `unknown escape sequence: ${esc}`);
  }
}
