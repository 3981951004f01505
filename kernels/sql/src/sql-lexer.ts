/**
 * A forgiving SQL tokenizer for the PostgreSQL/DuckDB dialect: enough to
 * split statements, find parameter placeholders and know whether a
 * position is inside a literal or comment. It never throws; an unclosed
 * literal or comment becomes one token marked `unterminated`.
 *
 * Covers: 'strings' ('' escape), E'escape strings' (backslash escapes),
 * $tag$dollar quotes$tag$, "quoted identifiers" ("" escape), -- line and
 * nested block comments, `$1` / `$name` / `:name` / `?` placeholders, `::`
 * casts. `:name` counts as a placeholder only where a value cannot end just
 * before it (not after a name, number, `)`, `]` or quote), so slices like
 * `l[i:j]` and struct literals `{'k':v}` stay intact; `l[:n]` reads as a
 * placeholder. See https://www.postgresql.org/docs/current/sql-syntax-lexical.html
 */

export type TokenKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'quoted' // "quoted identifier"
  | 'word' // unquoted identifier or keyword
  | 'number'
  | 'param' // $1, $name, :name, ?
  | 'op' // operators, including '::'
  | 'punct'; // ( ) [ ] { } , ; .

export interface Token {
  kind: TokenKind;
  /** UTF-16 offsets into the source: text = source.slice(start, end). */
  start: number;
  end: number;
  text: string;
  /** A string, quoted identifier or block comment that runs to the end of the input. */
  unterminated?: boolean;
}

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',', ';', '.']);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36; /* $ */
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** Tokenize `src` from `from` (default 0) to the end. */
export function tokenize(src: string, from = 0): Token[] {
  const out: Token[] = [];
  const n = src.length;
  let i = from;
  const push = (kind: TokenKind, start: number, end: number, unterminated = false) => {
    const t: Token = { kind, start, end, text: src.slice(start, end) };
    if (unterminated) t.unterminated = true;
    out.push(t);
  };
  /** Quoted run closed by `q`, where a doubled `q` is an escape; `backslash` also escapes. */
  const quoted = (start: number, open: number, q: number, kind: TokenKind, backslash: boolean) => {
    let j = open + 1;
    for (;;) {
      if (j >= n) return push(kind, start, n, true);
      const c = src.charCodeAt(j);
      if (backslash && c === 92) {
        j += 2;
        continue;
      }
      if (c === q) {
        if (src.charCodeAt(j + 1) === q) {
          j += 2;
          continue;
        }
        return push(kind, start, j + 1);
      }
      j++;
    }
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    const start = i;
    if (isSpace(c)) {
      while (i < n && isSpace(src.charCodeAt(i))) i++;
      push('space', start, i);
      continue;
    }
    // -- line comment (to the end of the line, newline excluded)
    if (c === 45 && src.charCodeAt(i + 1) === 45) {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      push('comment', start, i);
      continue;
    }
    // /* block comment */, nested as in PostgreSQL and DuckDB
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src.charCodeAt(i) === 47 && src.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (src.charCodeAt(i) === 42 && src.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      push('comment', start, i, depth > 0);
      continue;
    }
    if (c === 39 /* ' */) {
      quoted(start, i, 39, 'string', false);
      i = out[out.length - 1]!.end;
      continue;
    }
    if (c === 34 /* " */) {
      quoted(start, i, 34, 'quoted', false);
      i = out[out.length - 1]!.end;
      continue;
    }
    if (c === 36 /* $ */) {
      const next = src.charCodeAt(i + 1);
      if (isDigit(next)) {
        i += 1;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
        push('param', start, i);
        continue;
      }
      // $tag$ ... $tag$ (tag may be empty) or $name
      let j = i + 1;
      if (j < n && isIdentStart(src.charCodeAt(j))) {
        j++;
        while (j < n && isIdentPart(src.charCodeAt(j)) && src.charCodeAt(j) !== 36) j++;
      }
      if (src.charCodeAt(j) === 36) {
        const tag = src.slice(i, j + 1);
        const close = src.indexOf(tag, j + 1);
        i = close < 0 ? n : close + tag.length;
        push('string', start, i, close < 0);
        continue;
      }
      if (j > i + 1) {
        i = j;
        push('param', start, i);
        continue;
      }
      i++;
      push('op', start, i);
      continue;
    }
    if (c === 58 /* : */) {
      if (src.charCodeAt(i + 1) === 58) {
        i += 2;
        push('op', start, i);
        continue;
      }
      const prev = i > 0 ? src.charCodeAt(i - 1) : 32;
      const afterValue = isIdentPart(prev) || prev === 41 || prev === 93 || prev === 39 || prev === 34 || prev === 58;
      if (!afterValue && isIdentStart(src.charCodeAt(i + 1))) {
        i += 2;
        while (i < n && isIdentPart(src.charCodeAt(i)) && src.charCodeAt(i) !== 36) i++;
        push('param', start, i);
        continue;
      }
      i++;
      push('op', start, i);
      continue;
    }
    if (c === 63 /* ? */) {
      i++;
      push('param', start, i);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      if (c === 48 && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        i += 2;
        while (i < n && /[0-9a-fA-F_]/.test(src[i]!)) i++;
      } else {
        while (i < n && (isDigit(src.charCodeAt(i)) || src[i] === '_')) i++;
        if (src[i] === '.') {
          i++;
          while (i < n && (isDigit(src.charCodeAt(i)) || src[i] === '_')) i++;
        }
        if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src.charCodeAt(i + 1)) || ((src[i + 1] === '+' || src[i + 1] === '-') && isDigit(src.charCodeAt(i + 2))))) {
          i += 2;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      push('number', start, i);
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      // E'...' is a string with backslash escapes
      if (i === start + 1 && (c === 69 || c === 101) && src.charCodeAt(i) === 39) {
        quoted(start, i, 39, 'string', true);
        i = out[out.length - 1]!.end;
        continue;
      }
      push('word', start, i);
      continue;
    }
    if (PUNCT.has(src[i]!)) {
      i++;
      push('punct', start, i);
      continue;
    }
    // Operators: a run of operator characters, as PostgreSQL lexes them.
    i++;
    while (i < n && '+-*/<>=~!@#%^&|`'.includes(src[i]!) && !(src[i] === '-' && src[i + 1] === '-') && !(src[i] === '/' && src[i + 1] === '*')) i++;
    push('op', start, i);
  }
  return out;
}

/** Tokens that carry meaning (no spaces, no comments). */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** The token containing offset `pos` (a token [start, end) contains start..end-1), if any. */
export function tokenAt(tokens: readonly Token[], pos: number): Token | undefined {
  for (const t of tokens) {
    if (t.start <= pos && pos < t.end) return t;
    if (t.start > pos) break;
  }
  return undefined;
}
