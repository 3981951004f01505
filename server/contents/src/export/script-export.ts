/**
 * A notebook as a script in its own language (nbconvert's `script`
 * exporter): code cells in order under `In[n]` markers, markdown cells as
 * comments, the file extension from `language_info.file_extension`
 * (".py", ".sql", ".ts"). Python cells have IPython syntax turned into
 * calls as nbconvert's `ipython2python` does (`%magic`, `%%magic`, `!cmd`);
 * SQL cells have the SQL kernel's magics commented out and each cell ends
 * its last statement, so the file runs as one script.
 */
import type { NotebookJSON } from '../nbformat';
import { cellsOf, Language, languageOf } from './notebook-parts';

export function notebookToScript(nb: NotebookJSON): { text: string; language: Language } {
  const language = languageOf(nb);
  const c = language.comment;
  const out: string[] = [];
  if (language.name === 'python') out.push('#!/usr/bin/env python\n# coding: utf-8\n');
  for (const cell of cellsOf(nb)) {
    if (cell.cell_type === 'markdown') {
      out.push(commentLines(cell.source, c) + '\n');
    } else if (cell.cell_type === 'code') {
      const src = language.name === 'python' ? ipythonToPython(cell.source) : language.name === 'sql' ? sqlScriptCell(cell.source) : cell.source;
      out.push(`${c} In[${cell.execution_count ?? ' '}]:\n\n\n${src}\n\n`);
    }
  }
  return { text: out.join('\n').replace(/\n{4,}/g, '\n\n\n').trimEnd() + '\n', language };
}

function commentLines(text: string, marker: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `${marker} ${l}` : marker))
    .join('\n');
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** IPython-only syntax as the function calls it stands for (nbconvert `ipython2python`). */
export function ipythonToPython(source: string): string {
  const cellMagic = /^%%(\w+)[ \t]*(.*)\n?([\s\S]*)$/.exec(source);
  if (cellMagic) return `get_ipython().run_cell_magic(${q(cellMagic[1]!)}, ${q(cellMagic[2]!.trim())}, ${JSON.stringify(cellMagic[3]!)})`;
  return source
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(%|!)(.*)$/.exec(line);
      if (!m) return line;
      const [, indent, kind, rest] = m;
      if (kind === '!') return `${indent}get_ipython().system(${q(rest!)})`;
      const lm = /^(\w+)\s*(.*)$/.exec(rest!);
      return lm ? `${indent}get_ipython().run_line_magic(${q(lm[1]!)}, ${q(lm[2]!)})` : line;
    })
    .join('\n');
}

/** SQL kernel magics (`%connect`, `%%sql -> t`, `%params`) become comments; the cell's last statement gets its ";". */
export function sqlScriptCell(source: string): string {
  const lines = source.split('\n').map((l) => (/^\s*%/.test(l) ? `-- ${l}` : l));
  const text = lines.join('\n').trimEnd();
  const code = text
    .split('\n')
    .filter((l) => !/^\s*--/.test(l) && l.trim() !== '')
    .join('\n')
    .trim();
  if (!code || code.endsWith(';')) return text;
  const last = text.split('\n').pop() ?? '';
  return last.includes('--') ? `${text}\n;` : `${text};`;
}
