/**
 * A `.sql` file as a notebook for the SQL kernel (kernels/sql, kernelspec
 * `sql`): one code cell with the file's statements (the kernel runs them in
 * order and shows the last result). A `%params {...}` object at the top of
 * the file (after any leading `--` comments) holds the defaults: it becomes
 * the cell tagged `parameters`, so a run's values are injected after it.
 *
 *   -- Revenue of one month
 *   %params {"month": "2026-10"}
 *   SELECT sum(amount) FROM invoices WHERE strftime(day, '%Y-%m') = $month;
 */
import type { CodeCell, NotebookDocument } from './notebook';
import { PARAMETERS_TAG } from './parameters';

/** The SQL kernel's kernelspec name (server/app/src/builtin-kernels.ts). */
export const SQL_KERNEL_NAME = 'sql';

export function sqlFileNotebook(sql: string, opts: { kernelName?: string } = {}): NotebookDocument {
  const name = opts.kernelName ?? SQL_KERNEL_NAME;
  const { defaults, body } = splitParams(sql);
  const cells: CodeCell[] = [];
  if (defaults !== undefined) cells.push({ id: 'parameters', cell_type: 'code', execution_count: null, metadata: { tags: [PARAMETERS_TAG] }, outputs: [], source: defaults });
  cells.push({ id: 'sql', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: body });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name, display_name: 'SQL', language: 'sql' }, language_info: { name: 'sql', file_extension: '.sql', mimetype: 'application/sql' } },
    cells,
  };
}

/** A leading `%params {...}` (its JSON object may span lines) apart from the rest of the file. */
function splitParams(sql: string): { defaults?: string; body: string } {
  let pos = 0;
  for (;;) {
    const m = /^[ \t]*(--[^\n]*)?\r?\n/.exec(sql.slice(pos));
    if (!m) break;
    pos += m[0].length;
  }
  const rest = sql.slice(pos).replace(/^[ \t]+/, '');
  const head = /^%params[ \t]*/.exec(rest);
  if (!head || rest[head[0].length] !== '{') return { body: sql };
  const end = objectEnd(rest, head[0].length);
  if (end < 0) return { body: sql };
  return { defaults: rest.slice(0, end), body: sql.slice(0, pos) + rest.slice(end).replace(/^[ \t]*\r?\n/, '') };
}

/** The index after the JSON object starting at `start` (braces outside strings), or -1. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
