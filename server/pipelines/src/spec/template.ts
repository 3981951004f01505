/**
 * `{{ ... }}` templates in pipeline parameters: a tiny grammar, read by a
 * hand-written parser and evaluated by lookup only (no eval, no
 * prototype walks). The grammar, as README.md documents it:
 *
 *   template := text ( "{{" expr "}}" text )*
 *   expr     := primary ( "|" filter )*
 *   primary  := path | literal
 *   path     := name ( "." name | "[" integer "]" | "[" string "]" )*
 *   name     := [A-Za-z_][A-Za-z0-9_-]*
 *   filter   := "default" "(" literal ")" | "string" | "json" | "upper" | "lower"
 *   literal  := 'text' | "text" | number | true | false | null
 *
 * A string that is exactly one `{{ expr }}` renders to the value itself,
 * keeping its type; anything else renders to a string.
 */
import { AppError } from '@workbench/core';
import type { Period } from '../triggers/trigger-spec';
import { formatPath, type DataPath, type PathSegment } from './source-map';

export interface TemplateContext {
  run: { id: string; logical_date: string; trigger: string };
  period: Period;
  params: Record<string, unknown>;
  tasks: Record<string, { values: Record<string, unknown>; status: string }>;
  pipeline: { id: string; name: string };
  /**
   * The task being run (notebook and SQL tasks): its id, its file and the
   * version of that file it runs, as git names it (the blob id of the
   * content read: `git log --find-object=<id>` lists the commits holding
   * it). Absent where a parameter default is resolved.
   */
  task?: { id: string; path: string; notebook_version: string };
}

type Literal = string | number | boolean | null;
type Filter = { name: 'default'; arg: Literal } | { name: 'string' | 'json' | 'upper' | 'lower' };
interface Expr {
  source: string;
  primary: { path: PathSegment[] } | { literal: Literal };
  filters: Filter[];
}
type Part = string | Expr;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_-]/;
const FILTERS = new Set(['default', 'string', 'json', 'upper', 'lower']);

/** True when a string holds a template (and is rendered per run). */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && value.includes('{{');
}

/** A template string's parts, or why it does not parse. */
export function parseTemplate(text: string): { parts: Part[] } | { error: string } {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = findClose(text, open + 2);
    if (close < 0) return { error: `'{{' at character ${open + 1} is not closed by '}}'` };
    const source = text.slice(open + 2, close);
    const expr = parseExpr(source);
    if ('error' in expr) return { error: `in '{{${source}}}': ${expr.error}` };
    parts.push(expr);
    i = close + 2;
  }
  return { parts };
}

/** The paths a value's templates read (`params.company_id`, `tasks.extract.values.row_count`), each once, in order. */
export function templateReferences(value: unknown): string[] {
  const out = new Set<string>();
  scanTemplates(value, [], (_at, result) => {
    if ('error' in result) throw new AppError('bad_request', `Cannot read template: ${result.error}`);
    for (const ref of result.refs) out.add(formatPath(ref));
  });
  return [...out];
}

/** Calls `visit` for every template string under `value`, with its data path and references (or syntax error). */
export function scanTemplates(value: unknown, at: DataPath, visit: (at: DataPath, result: { refs: PathSegment[][] } | { error: string }) => void): void {
  if (isTemplate(value)) {
    const parsed = parseTemplate(value);
    if ('error' in parsed) visit(at, parsed);
    else visit(at, { refs: parsed.parts.flatMap((p) => (typeof p !== 'string' && 'path' in p.primary ? [p.primary.path] : [])) });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => scanTemplates(v, [...at, i], visit));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) scanTemplates(v, [...at, k], visit);
  }
}

/**
 * Renders every template in strings, arrays and plain objects (keys are
 * left as written). @throws AppError('bad_request') naming an unknown
 * reference or a syntax error.
 */
export function renderTemplate(value: unknown, ctx: TemplateContext): unknown {
  if (isTemplate(value)) return renderString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, ctx));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, ctx)]));
  return value;
}

function renderString(text: string, ctx: TemplateContext): unknown {
  const parsed = parseTemplate(text);
  if ('error' in parsed) throw new AppError('bad_request', `Cannot render template '${text}': ${parsed.error}`);
  const [only] = parsed.parts;
  if (parsed.parts.length === 1 && typeof only !== 'string') return evaluate(only!, ctx, text);
  return parsed.parts.map((p) => (typeof p === 'string' ? p : embed(evaluate(p, ctx, text)))).join('');
}

function evaluate(expr: Expr, ctx: TemplateContext, text: string): unknown {
  let found: boolean;
  let value: unknown;
  if ('literal' in expr.primary) {
    found = true;
    value = expr.primary.literal;
  } else {
    ({ found, value } = lookup(ctx, expr.primary.path));
  }
  const fail = (why: string): never => {
    throw new AppError('bad_request', `Cannot render template '${text}': ${why}`, { details: { template: text } });
  };
  const missing = (): never => fail(`unknown reference '${formatPath((expr.primary as { path: PathSegment[] }).path)}'`);
  for (const f of expr.filters) {
    if (f.name === 'default') {
      if (!found || value === null) [found, value] = [true, f.arg];
      continue;
    }
    if (!found) missing();
    if (f.name === 'string') value = embed(value);
    else if (f.name === 'json') value = JSON.stringify(value) ?? 'null';
    else if (typeof value !== 'string') fail(`the ${f.name} filter needs a string, not ${value === null ? 'null' : typeof value}`);
    else value = f.name === 'upper' ? value.toUpperCase() : value.toLowerCase();
  }
  if (!found) missing();
  return value;
}

function lookup(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let here = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(here) || seg >= here.length) return { found: false, value: undefined };
      here = here[seg];
    } else {
      if (here === null || typeof here !== 'object' || Array.isArray(here) || !Object.hasOwn(here, seg)) return { found: false, value: undefined };
      here = (here as Record<string, unknown>)[seg];
    }
    if (here === undefined) return { found: false, value: undefined };
  }
  return { found: true, value: here };
}

/** How a value reads inside a longer string: null as '', lists and mappings as JSON. */
function embed(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Index of the `}}` closing a template whose expression starts at `from`, skipping quoted text; -1 when none. */
function findClose(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '}' && text[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

/** Parses one expression (the text between `{{` and `}}`). */
function parseExpr(source: string): Expr | { error: string } {
  let i = 0;
  const ws = (): void => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const fail = (what: string): { error: string } => ({ error: i >= source.length ? `${what} expected at the end` : `unexpected '${source[i]}' at character ${i + 1}` });
  const name = (): string | undefined => {
    if (i >= source.length || !NAME_START.test(source[i]!)) return undefined;
    const start = i;
    while (i < source.length && NAME_CHAR.test(source[i]!)) i++;
    return source.slice(start, i);
  };
  const literal = (): Literal | undefined => {
    const c = source[i];
    if (c === "'" || c === '"') {
      let out = '';
      for (i++; i < source.length; i++) {
        const d = source[i]!;
        if (d === c) {
          i++;
          return out;
        }
        if (d === '\\' && i + 1 < source.length) out += source[++i];
        else out += d;
      }
      return undefined;
    }
    const num = /^-?[0-9]+(\.[0-9]+)?/.exec(source.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const start = i;
    const word = name();
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    i = start;
    return undefined;
  };

  ws();
  let primary: Expr['primary'];
  const lit = literal();
  if (lit !== undefined) {
    primary = { literal: lit };
  } else {
    const first = name();
    if (first === undefined) return fail('a name or a literal');
    const path: PathSegment[] = [first];
    for (;;) {
      if (source[i] === '.') {
        i++;
        const n = name();
        if (n === undefined) return fail('a name');
        path.push(n);
      } else if (source[i] === '[') {
        i++;
        ws();
        const key = literal();
        if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0) path.push(key);
        else if (typeof key === 'string') path.push(key);
        else return fail('an index or a quoted key');
        ws();
        if (source[i] !== ']') return fail("']'");
        i++;
      } else {
        break;
      }
    }
    primary = { path };
  }
  const filters: Filter[] = [];
  for (ws(); i < source.length && source[i] === '|'; ws()) {
    i++;
    ws();
    const f = name();
    if (f === undefined || !FILTERS.has(f)) return f === undefined ? fail('a filter') : { error: `unknown filter '${f}' (known: ${[...FILTERS].join(', ')})` };
    ws();
    if (f === 'default') {
      if (source[i] !== '(') return fail("'(' after default");
      i++;
      ws();
      const arg = literal();
      if (arg === undefined) return fail('a literal');
      ws();
      if (source[i] !== ')') return fail("')'");
      i++;
      filters.push({ name: 'default', arg });
    } else {
      filters.push({ name: f as 'string' | 'json' | 'upper' | 'lower' });
    }
  }
  if (i < source.length) return fail('the end');
  return { source, primary, filters };
}
