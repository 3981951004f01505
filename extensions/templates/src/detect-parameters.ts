/**
 * A notebook's parameters guessed for Save as Template, from the code cell
 * tagged `parameters` (papermill's convention), in the notebook's language
 * (`metadata.kernelspec.language`, else `metadata.language_info.name`,
 * else Python):
 *
 *   Python                   name = <literal>   name: T = <literal>
 *   TypeScript, JavaScript   const|let|var name[: T] = <literal>;
 *   SQL (Workbench's kernel) %params {"name": <JSON value>, ...}
 *
 * Only top-level lines count (not indented, not inside brackets, strings
 * or comments). Literals: a quoted string is a date (YYYY-MM-DD, a real
 * day), a month (YYYY-MM) or a string; an integer, a float (a number),
 * True/False (true/false in TypeScript) a boolean. Anything else (lists,
 * calls, None/null, f-strings) is left out, as are names the server refuses
 * (server/templates manifest.ts: not a variable name, or reserved). A name
 * set twice keeps its last value (the one the notebook runs with); set
 * last to something else, it is left out. Pure.
 */
import type { ParameterType, SaveRequest } from './types';

/** One parameter as `POST api/templates` takes it. */
export type GuessedParameter = NonNullable<SaveRequest['parameters']>[number];

export interface NotebookCell {
  cell_type: string;
  source: string | readonly string[];
  metadata?: { tags?: unknown };
}

export interface NotebookLike {
  metadata?: object;
  cells: readonly NotebookCell[];
}

export type NotebookLanguage = 'python' | 'script' | 'sql' | 'other';

interface Literal {
  type: ParameterType;
  value: string | number | boolean;
}

/** server/templates manifest.ts */
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['folder', 'name', 'title']);

const PY_ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^=]+?)\s*)?=(?!=)\s*(.*?)\s*;?$/;
const JS_ASSIGN = /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][A-Za-z0-9_$]*)\s*(?::\s*([^=]+?)\s*)?=(?!=)\s*(.*?)\s*;?$/;
const DIGITS = '[0-9](?:_?[0-9])*';
const INTEGER = new RegExp(`^[+-]?${DIGITS}$`);
const FLOAT = new RegExp(`^[+-]?(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS}|${DIGITS}(?:\\.(?:${DIGITS})?)?[eE][+-]?[0-9]+)$`);

/** The parameters of the notebook's `parameters` cell; [] when it has none or its language is not one of the three. */
export function guessParameters(notebook: NotebookLike): GuessedParameter[] {
  const source = parametersSource(notebook.cells);
  if (source === undefined) return [];
  const language = notebookLanguage(notebook.metadata);
  const found = language === 'sql' ? readParamsMagic(source) : language === 'other' ? [] : readAssignments(source, language);
  return found.map(([name, literal]) => ({ name, type: literal.type, label: labelFor(name), default: literal.value, required: true }));
}

/** The language the parameters cell is written in. */
export function notebookLanguage(metadata: object | undefined): NotebookLanguage {
  const m = (metadata ?? {}) as { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } };
  const given = typeof m.kernelspec?.language === 'string' && m.kernelspec.language !== '' ? m.kernelspec.language : m.language_info?.name;
  const lang = typeof given === 'string' ? given.trim().toLowerCase() : '';
  if (lang === '' || lang === 'python' || lang === 'python3' || lang === 'ipython' || lang === 'ipython3') return 'python';
  if (['typescript', 'javascript', 'ts', 'js', 'node', 'nodejs'].includes(lang)) return 'script';
  if (lang === 'sql') return 'sql';
  return 'other';
}

/** "close_month" -> "Close month". */
export function labelFor(name: string): string {
  const words = name.replace(/_+/g, ' ').trim();
  return words === '' ? name : words.charAt(0).toUpperCase() + words.slice(1);
}

function parametersSource(cells: readonly NotebookCell[]): string | undefined {
  const cell = cells.find((c) => c.cell_type === 'code' && Array.isArray(c.metadata?.tags) && (c.metadata.tags as unknown[]).includes('parameters'));
  if (!cell) return undefined;
  return typeof cell.source === 'string' ? cell.source : cell.source.join('');
}

/** As the SQL kernel reads it: the cell, trimmed at its start, is `%params` and a JSON object. */
function readParamsMagic(source: string): [string, Literal][] {
  const code = source.trimStart();
  if (!code.startsWith('%params')) return [];
  let value: unknown;
  try {
    value = JSON.parse(code.slice('%params'.length).trim() || '{}');
  } catch {
    return [];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const out: [string, Literal][] = [];
  for (const [name, v] of Object.entries(value)) {
    const literal =
      typeof v === 'string'
        ? stringLiteral(v)
        : typeof v === 'boolean'
          ? { type: 'boolean' as const, value: v }
          : typeof v === 'number' && Number.isFinite(v)
            ? { type: Number.isSafeInteger(v) ? ('integer' as const) : ('number' as const), value: v }
            : undefined;
    if (literal && usable(name)) out.push([name, literal]);
  }
  return out;
}

function readAssignments(source: string, language: 'python' | 'script'): [string, Literal][] {
  const found = new Map<string, Literal>();
  const assign = language === 'python' ? PY_ASSIGN : JS_ASSIGN;
  let state: ScanState = { depth: 0, open: null };
  for (const line of source.split(/\r\n|\r|\n/)) {
    const topLevel = state.depth === 0 && state.open === null && !/^\s/.test(line);
    const scanned = scan(line, language, state);
    state = scanned.state;
    if (!topLevel) continue;
    const m = assign.exec(scanned.code.trim());
    if (!m) continue;
    const name = m[1]!;
    const literal = readLiteral(m[3]!, language, m[2]);
    found.delete(name);
    if (literal && usable(name)) found.set(name, literal);
  }
  return [...found];
}

function usable(name: string): boolean {
  return PARAMETER_NAME.test(name) && !RESERVED.has(name);
}

/** A literal's type and value, or undefined when it is not a simple one. `annotation`: Python's `float` makes an integer a number. */
export function readLiteral(text: string, language: 'python' | 'script', annotation?: string): Literal | undefined {
  const t = text.trim();
  if (INTEGER.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    if (!Number.isSafeInteger(n)) return undefined;
    return { type: language === 'python' && annotation?.trim() === 'float' ? 'number' : 'integer', value: n };
  }
  if (FLOAT.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    return Number.isFinite(n) ? { type: 'number', value: n } : undefined;
  }
  const [yes, no] = language === 'python' ? ['True', 'False'] : ['true', 'false'];
  if (t === yes || t === no) return { type: 'boolean', value: t === yes };
  const s = quoted(t, language);
  return s === undefined ? undefined : stringLiteral(s);
}

function stringLiteral(s: string): Literal {
  const date = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (date && isCalendarDay(Number(date[1]), Number(date[2]), Number(date[3]))) return { type: 'date', value: s };
  if (/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(s)) return { type: 'month', value: s };
  return { type: 'string', value: s };
}

function isCalendarDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', '`': '`', n: '\n', t: '\t', r: '\r' };

/** A one-line quoted string's text: Python '', "", r'', u''; JavaScript '', "", `` without ${}. */
function quoted(t: string, language: 'python' | 'script'): string | undefined {
  const m = language === 'python' ? /^([rRuU]?)(['"])(.*)\2$/s.exec(t) : /^()(['"`])(.*)\2$/s.exec(t);
  if (!m) return undefined;
  const [, prefix, quote, body] = m as unknown as [string, string, string, string];
  if (quote === '`' && body.includes('${')) return undefined;
  const raw = prefix === 'r' || prefix === 'R';
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote && !raw) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    if (raw) {
      // A raw string keeps its backslashes; a quote after one does not end it.
      out += c + (next ?? '');
      continue;
    }
    const e = next === undefined ? undefined : ESCAPES[next];
    if (e === undefined) return undefined;
    out += e;
  }
  return raw && new RegExp(`(^|[^\\\\])${quote}`).test(body) ? undefined : out;
}

interface ScanState {
  /** Brackets open at the end of the line. */
  depth: number;
  /** What ends a string or comment still open: '"""', "'''", '`', '*\/'. */
  open: string | null;
}

/** One line's code without comments, and what is still open after it. */
function scan(line: string, language: 'python' | 'script', state: ScanState): { code: string; state: ScanState } {
  let { depth, open } = state;
  let code = '';
  let i = 0;
  const close = (end: string, from: number): number => {
    for (let j = from; j < line.length; j++) {
      if (line[j] === '\\' && end !== '*/') j++;
      else if (line.startsWith(end, j)) return j;
    }
    return -1;
  };
  if (open !== null) {
    const at = close(open, 0);
    if (at < 0) return { code: '', state: { depth, open } };
    if (open !== '*/') code += line.slice(0, at + open.length);
    i = at + open.length;
    open = null;
  }
  while (i < line.length) {
    const c = line[i]!;
    if (language === 'python' ? c === '#' : line.startsWith('//', i)) break;
    if (language === 'script' && line.startsWith('/*', i)) {
      const at = close('*/', i + 2);
      if (at < 0) return { code, state: { depth, open: '*/' } };
      i = at + 2;
      continue;
    }
    if (c === '"' || c === "'" || (c === '`' && language === 'script')) {
      const delim = language === 'python' && line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      const at = close(delim, i + delim.length);
      if (at < 0) {
        code += line.slice(i);
        // An unclosed one-quote string ends the line (a syntax error); the others go on.
        return { code, state: { depth, open: delim.length === 3 || delim === '`' ? delim : null } };
      }
      code += line.slice(i, at + delim.length);
      i = at + delim.length;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    code += c;
    i++;
  }
  return { code, state: { depth, open } };
}
