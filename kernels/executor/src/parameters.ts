/**
 * Papermill-compatible parameters: the cell tagged `parameters` keeps the
 * notebook's defaults; a cell tagged `injected-parameters` right after it
 * (first in the notebook when there is none, in place of one from an
 * earlier run) sets the run's values, written in the kernel's language
 * (papermill/parameterize.py, papermill/translators.py).
 *
 * Values are JSON values and follow JSON.stringify's rules: a Date becomes
 * its ISO 8601 string, an `undefined` object entry is left out (null in an
 * array). Beyond JSON, Python and TypeScript also get NaN, ±Infinity and
 * bigints as themselves. Anything else (functions, Maps, class instances)
 * is refused.
 *
 *   python       name = <Python literal>             (# Parameters)
 *   typescript   const name = <JSON>;                (// Parameters; javascript too)
 *   sql          %params {"name": <JSON>, ...}       (the SQL kernel's magic; read as $name / :name)
 */
import { AppError } from '@workbench/core';
import { freshCellId, hasTag, type CodeCell, type NotebookDocument } from './notebook';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_PARAMETERS_TAG = 'injected-parameters';

export type ParameterLanguage = 'python' | 'typescript' | 'javascript' | 'sql';

const LANGUAGES: Record<string, ParameterLanguage> = { python: 'python', python3: 'python', typescript: 'typescript', ts: 'typescript', javascript: 'javascript', js: 'javascript', sql: 'sql' };

/** The parameter syntax for a kernel language (kernelspec `language`), or bad_request. */
export function parameterLanguage(language: string): ParameterLanguage {
  const l = LANGUAGES[language.trim().toLowerCase()];
  if (!l) throw new AppError('bad_request', `Cannot inject parameters: no parameter syntax for language ${JSON.stringify(language)} (have python, typescript, javascript, sql)`);
  return l;
}

const PYTHON_KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));
const JS_RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield arguments eval undefined NaN Infinity'.split(' '),
);

function assertName(name: string, lang: ParameterLanguage): void {
  const ok = lang === 'python' ? /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name) : lang === 'sql' ? /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !JS_RESERVED.has(name);
  if (!ok) throw new AppError('bad_request', `Cannot render parameter ${JSON.stringify(name)}: not a usable ${lang} name (letters, digits and _, not a keyword)`);
}

/** JSON.stringify's view of a value, checked: plain objects, arrays, Dates and primitives only. */
function normalise(value: unknown, where: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new AppError('bad_request', `Cannot render parameter ${where}: invalid date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : normalise(v, `${where}[${i}]`)));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v, `${where}.${k}`);
      return out;
    }
  }
  const kind = typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  throw new AppError('bad_request', `Cannot render parameter ${where}: a ${kind} is not a JSON value`);
}

function pythonLiteral(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return "float('nan')";
    if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "float('-inf')";
    return String(v);
  }
  // A JSON string literal is a Python string literal with the same value (same escapes).
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pythonLiteral(x)}`).join(', ')}}`;
}

function jsLiteral(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (Array.isArray(v)) return `[${v.map(jsLiteral).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${jsLiteral(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** The SQL kernel reads %params with JSON.parse: only what JSON can say exactly. */
function checkJson(v: unknown, where: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new AppError('bad_request', `Cannot render parameter ${where} for SQL: ${v} has no JSON form`);
  if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))) throw new AppError('bad_request', `Cannot render parameter ${where} for SQL: ${v} does not fit a JSON number exactly (pass it as a string)`);
  if (Array.isArray(v)) v.forEach((x, i) => checkJson(x, `${where}[${i}]`));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkJson(x, `${where}.${k}`);
}

/** The source of an injected-parameters cell setting `params` in `language`. */
export function renderParameters(language: string, params: Record<string, unknown>): string {
  const lang = parameterLanguage(language);
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => {
      assertName(name, lang);
      return [name, normalise(v, name)] as const;
    });
  switch (lang) {
    case 'python':
      return ['# Parameters', ...entries.map(([n, v]) => `${n} = ${pythonLiteral(v)}`)].join('\n') + '\n';
    case 'typescript':
    case 'javascript':
      return ['// Parameters', ...entries.map(([n, v]) => `const ${n} = ${jsLiteral(v)};`)].join('\n') + '\n';
    case 'sql': {
      for (const [n, v] of entries) checkJson(v, n);
      const json = JSON.stringify(Object.fromEntries(entries), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
      return `%params ${json}\n`;
    }
  }
}

/**
 * A copy of `nb` with an injected-parameters cell setting `params`: in place
 * of an earlier injected cell, else right after the `parameters` cell, else
 * first; `metadata.papermill.parameters` records them.
 */
export function injectParameters(nb: NotebookDocument, params: Record<string, unknown>, language: string): NotebookDocument {
  const out = structuredClone(nb);
  const cell: CodeCell = { cell_type: 'code', execution_count: null, metadata: { tags: [INJECTED_PARAMETERS_TAG] }, outputs: [], source: renderParameters(language, params) };
  const injected = out.cells.findIndex((c) => hasTag(c, INJECTED_PARAMETERS_TAG));
  const defaults = out.cells.findIndex((c) => hasTag(c, PARAMETERS_TAG));
  if (injected >= 0) {
    const old = out.cells[injected]!;
    if (old.id) cell.id = old.id;
    out.cells[injected] = cell;
  } else {
    const id = freshCellId(out, INJECTED_PARAMETERS_TAG);
    if (id) cell.id = id;
    out.cells.splice(defaults >= 0 ? defaults + 1 : 0, 0, cell);
  }
  const pm = (out.metadata.papermill ?? {}) as Record<string, unknown>;
  out.metadata.papermill = { ...pm, parameters: jsonSafe(normalise(params, 'parameters')) };
  return out;
}

/** What a notebook (JSON) can keep of a normalised value: bigints as numbers (strings when too big), NaN and ±Infinity as null. */
function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}
