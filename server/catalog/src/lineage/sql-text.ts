/**
 * A small SQL tokenizer (PostgreSQL/DuckDB lexical rules): enough to split
 * statements, find the shell of a DuckDB statement (CREATE TABLE x AS,
 * INSERT INTO x (cols), UPDATE, DELETE) around its query, and tell quoted
 * identifiers from unquoted ones. Offsets are UTF-16 (JavaScript string)
 * offsets; `utf16OffsetOfUtf8` converts the parsers' byte positions.
 */

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'param' | 'op' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** word: as written; ident: unquoted and unescaped; string: the string's value (roughly). */
  value: string;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OP_CHARS = '+-*/<>=~!@#%^&|`?:';

/** Tokens of `sql`, without whitespace and comments. Unterminated strings and comments run to the end as a token (the parsers report them). */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => out.push({ kind, text: sql.slice(start, end), value: value ?? sql.slice(start, end), start, end });
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      // An unterminated comment is left for the parser to reject, not taken for an empty input.
      if (depth > 0) push('op', start, n);
    } else if (c === '"') {
      const start = i++;
      let v = '';
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') (v += '"'), (i += 2);
          else break;
        } else v += sql[i++];
      }
      i = Math.min(n, i + 1);
      push('ident', start, i, v);
    } else if (c === "'" || ((c === 'E' || c === 'e' || c === 'X' || c === 'x' || c === 'B' || c === 'b') && sql[i + 1] === "'")) {
      const start = i;
      const escapes = c === 'E' || c === 'e';
      if (c !== "'") i++;
      i++;
      let v = '';
      while (i < n) {
        if (escapes && sql[i] === '\\') (v += sql[i + 1] ?? ''), (i += 2);
        else if (sql[i] === "'") {
          if (sql[i + 1] === "'") (v += "'"), (i += 2);
          else break;
        } else v += sql[i++];
      }
      i = Math.min(n, i + 1);
      push('string', start, i, v);
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const start = i++;
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      push('param', start, i);
    } else if (c === '$') {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (!m) {
        push('op', i, ++i);
        continue;
      }
      const start = i;
      const close = sql.indexOf(m[0], i + m[0].length);
      const bodyEnd = close < 0 ? n : close;
      i = close < 0 ? n : close + m[0].length;
      push('string', start, i, sql.slice(start + m[0].length, bodyEnd));
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9A-Fa-f_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i))!;
      const start = i;
      i += Math.max(1, m[0].length);
      push('number', start, i);
    } else if (WORD_START.test(c)) {
      const start = i++;
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      push('word', start, i);
    } else if ('(),;[]{}.'.includes(c)) {
      push('punct', i, ++i);
    } else if (c === ':' && sql[i + 1] === ':') {
      push('op', i, (i += 2));
    } else if (OP_CHARS.includes(c)) {
      const start = i++;
      while (i < n && OP_CHARS.includes(sql[i]!) && !(sql[i] === '-' && sql[i + 1] === '-') && !(sql[i] === '/' && sql[i + 1] === '*')) i++;
      push('op', start, i);
    } else {
      push('op', i, ++i);
    }
  }
  return out;
}

export interface StatementText {
  text: string;
  /** UTF-16 offset of the statement in the input. */
  offset: number;
  tokens: Token[];
}

/** Statements separated by `;` (outside strings, identifiers and comments); empty ones dropped. */
export function splitStatements(sql: string, tokens: Token[] = tokenize(sql)): StatementText[] {
  const out: StatementText[] = [];
  let cur: Token[] = [];
  const flush = () => {
    if (cur.length) out.push({ text: sql.slice(cur[0]!.start, cur[cur.length - 1]!.end), offset: cur[0]!.start, tokens: cur });
    cur = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') flush();
    else cur.push(t);
  }
  flush();
  return out;
}

/** UTF-16 offset of a UTF-8 byte offset into `text`. */
export function utf16OffsetOfUtf8(text: string, bytes: number): number {
  let b = 0;
  let i = 0;
  while (i < text.length && b < bytes) {
    const cp = text.codePointAt(i)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** UTF-16 offset of a code point offset into `text` (DuckDB's error positions count code points). */
export function utf16OffsetOfCodePoints(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

/** Unquoted identifiers fold to lower case; like PostgreSQL, only ASCII letters fold. */
export const foldIdentifier = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
