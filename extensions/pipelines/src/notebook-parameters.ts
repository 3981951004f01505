/**
 * A notebook's parameters as papermill reads them: the code cell tagged
 * `parameters` holds their defaults. Only simple lines are read, one
 * `name = literal` (optionally `name: annotation = literal`) per line,
 * with Python literals: integers, floats, True/False, and single- or
 * double-quoted strings without escapes beyond \\ \' \". Blank lines and
 * comments are fine; anything else (expressions, lists, calls, None) is
 * listed as skipped, for the form to say so. Pure.
 */
import type { ParameterType } from './types';

export interface NotebookParameter {
  name: string;
  type: ParameterType;
  value: string | number | boolean;
}

export interface ParametersCell {
  parameters: NotebookParameter[];
  /** Lines that were not simple assignments (trimmed). */
  skipped: string[];
}

const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_][A-Za-z0-9_.[\], ]*)?=\s*(.+?)\s*$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** A Python literal's value and type, or undefined when it is not a simple one. */
export function readLiteral(text: string): { type: ParameterType; value: string | number | boolean } | undefined {
  const t = stripComment(text).trim();
  if (/^[+-]?[0-9][0-9_]*$/.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    return Number.isSafeInteger(n) ? { type: 'integer', value: n } : undefined;
  }
  if (/^[+-]?([0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*|[0-9][0-9_]*(\.[0-9_]*)?[eE][+-]?[0-9]+)$/.test(t)) {
    const n = Number(t.replace(/_/g, ''));
    return Number.isFinite(n) ? { type: 'number', value: n } : undefined;
  }
  if (t === 'True' || t === 'False') return { type: 'boolean', value: t === 'True' };
  const s = readString(t);
  if (s !== undefined) return { type: DATE.test(s) ? 'date' : 'string', value: s };
  return undefined;
}

function readString(t: string): string | undefined {
  const m = /^([rRuU]?)(['"])(.*)\2$/.exec(t);
  if (!m) return undefined;
  const [, prefix, quote, body] = m as unknown as [string, string, string, string];
  if (prefix.toLowerCase() === 'r') return body.includes(quote) ? undefined : body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next !== '\\' && next !== "'" && next !== '"') return undefined;
    out += next;
  }
  return out;
}

/** The line without a trailing `# comment` (a # inside quotes stays). */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

export function readParametersCell(source: string): ParametersCell {
  const parameters: NotebookParameter[] = [];
  const skipped: string[] = [];
  for (const raw of source.split(/\r\n|\r|\n/)) {
    const line = stripComment(raw).trim();
    if (line === '') continue;
    const m = ASSIGN.exec(line);
    const literal = m ? readLiteral(m[2]!) : undefined;
    if (!m || !literal) {
      skipped.push(raw.trim());
      continue;
    }
    const at = parameters.findIndex((p) => p.name === m[1]);
    // A name set twice: the last value is the one the notebook runs with.
    if (at >= 0) parameters.splice(at, 1);
    parameters.push({ name: m[1]!, ...literal });
  }
  return { parameters, skipped };
}

/** The source of the first code cell tagged `parameters` of an nbformat notebook's cells, if any. */
export function parametersCellSource(cells: readonly { cell_type: string; metadata?: { tags?: unknown }; source: string | readonly string[] }[]): string | undefined {
  const cell = cells.find((c) => c.cell_type === 'code' && Array.isArray(c.metadata?.tags) && (c.metadata.tags as unknown[]).includes('parameters'));
  if (!cell) return undefined;
  return typeof cell.source === 'string' ? cell.source : cell.source.join('');
}
