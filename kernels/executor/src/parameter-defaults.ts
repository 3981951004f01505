/**
 * New defaults written into a notebook's `parameters` cell, in place: the
 * cell that papermill's injected cell would follow. A template installed
 * with parameters gets its values this way, so the notebook opened
 * afterwards reads as if its author had typed them, and a later run's
 * injected values still override them.
 *
 * Only assignments already in the cell are changed (a name the cell does
 * not assign is not one of the notebook's parameters and is answered in
 * `missing`); the rest of the cell (comments, other names, blank lines)
 * stays as it is.
 *
 *   python       name = <literal>   name: T = <literal>   (a value may span lines inside brackets)
 *   typescript   const|let|var name[: T] = <literal>;     (javascript too)
 *   sql          %params {"name": <JSON>, ...}            (keys of the object replaced, order kept)
 */
import { AppError } from '@workbench/core';
import { hasTag, type NotebookDocument } from './notebook';
import { parameterLanguage, PARAMETERS_TAG, renderParameters } from './parameters';

export interface ParameterDefaultsResult {
  notebook: NotebookDocument;
  /** Names whose default was replaced. */
  set: string[];
  /** Names asked for that the parameters cell does not assign (or no parameters cell). */
  missing: string[];
}

/** A copy of `nb` whose parameters cell assigns `values` (names it already assigns only). */
export function setParameterDefaults(nb: NotebookDocument, values: Record<string, unknown>, language: string): ParameterDefaultsResult {
  const lang = parameterLanguage(language);
  const out = structuredClone(nb);
  const names = Object.keys(values).filter((k) => values[k] !== undefined);
  const index = out.cells.findIndex((c) => hasTag(c, PARAMETERS_TAG));
  if (index < 0) return { notebook: out, set: [], missing: names };
  const cell = out.cells[index]!;
  let source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
  const set: string[] = [];
  if (lang === 'sql') {
    const r = setSqlParams(source, values, names);
    source = r.source;
    set.push(...r.set);
  } else {
    for (const name of names) {
      // The rendered line for this one name, without renderParameters' comment header.
      const line = renderParameters(lang, { [name]: values[name] }).split('\n')[1]!;
      const next = lang === 'python' ? replacePython(source, name, line) : replaceScript(source, name, line);
      if (next !== undefined) {
        source = next;
        set.push(name);
      }
    }
  }
  cell.source = source;
  return { notebook: out, set, missing: names.filter((n) => !set.includes(n)) };
}

function escape(name: string): string {
  return name.replace(/[$]/g, '\\$');
}

/** Open brackets minus closed ones on a line, strings and comments skipped. */
function depth(text: string): number {
  let d = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '#' || (ch === '/' && text[i + 1] === '/')) break;
    else if ('([{'.includes(ch)) d++;
    else if (')]}'.includes(ch)) d--;
  }
  return d;
}

/** The lines of `source` from `start` to the end of the statement that begins there (brackets balanced). */
function statementEnd(lines: string[], start: number): number {
  let d = depth(lines[start]!);
  let end = start;
  while (d > 0 && end + 1 < lines.length) {
    end++;
    d += depth(lines[end]!);
  }
  return end;
}

function replaceLines(source: string, pattern: RegExp, line: string): string | undefined {
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = pattern.exec(lines[i]!);
    if (!m) continue;
    const end = statementEnd(lines, i);
    lines.splice(i, end - i + 1, (m[1] ?? '') + line);
    return lines.join('\n');
  }
  return undefined;
}

function replacePython(source: string, name: string, line: string): string | undefined {
  // `name = ...` or `name: T = ...` at the cell's top level (no indentation: not inside a block).
  return replaceLines(source, new RegExp(`^()${escape(name)}\\s*(?::[^=]*)?=(?!=)`), line);
}

function replaceScript(source: string, name: string, line: string): string | undefined {
  const r = replaceLines(source, new RegExp(`^(\\s*)(?:const|let|var)\\s+${escape(name)}\\s*(?::[^=]*)?=(?!=)`), line);
  return r;
}

function setSqlParams(source: string, values: Record<string, unknown>, names: string[]): { source: string; set: string[] } {
  const m = /%params[ \t]+/.exec(source);
  if (!m) return { source, set: [] };
  const start = m.index + m[0].length;
  // The JSON object: from its "{" to the matching "}" (strings skipped).
  let d = 0;
  let end = -1;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const ch = source[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') d++;
    else if (ch === '}' && --d === 0) {
      end = i + 1;
      break;
    }
  }
  if (source[start] !== '{' || end < 0) throw new AppError('bad_request', 'Cannot set parameter defaults: the parameters cell has a %params line whose object does not close');
  let current: Record<string, unknown>;
  try {
    current = JSON.parse(source.slice(start, end)) as Record<string, unknown>;
  } catch (err) {
    throw new AppError('bad_request', `Cannot set parameter defaults: the parameters cell's %params is not JSON (${(err as Error).message})`);
  }
  const set = names.filter((n) => Object.hasOwn(current, n));
  if (set.length === 0) return { source, set };
  const next = { ...current };
  for (const n of set) next[n] = values[n];
  // Rendered as the executor renders a run's values (same checks), then spliced in.
  const rendered = renderParameters('sql', next).replace(/^%params /, '').trimEnd();
  return { source: source.slice(0, start) + rendered + source.slice(end), set };
}
