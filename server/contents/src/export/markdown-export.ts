/**
 * A notebook as one Markdown file (nbconvert's `markdown` exporter, but
 * self-contained: nbconvert writes images to files and zips them, here they
 * stay inline as data URIs). Markdown cells as they are, code in fenced
 * blocks tagged with the language, text outputs as indented blocks, HTML
 * outputs as HTML (Markdown allows it).
 */
import type { NotebookJSON } from '../nbformat';
import { base64Of, cellsOf, dataText, errorText, IMAGE_TYPES, languageOf, Output, stripAnsi } from './notebook-parts';

const indent = (s: string) =>
  s
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** A fence longer than any backtick run inside the code. */
function fence(code: string, lang: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((r) => r.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${code.replace(/\n+$/, '')}\n${f}`;
}

export function notebookToMarkdown(nb: NotebookJSON): string {
  const lang = languageOf(nb).name;
  const parts: string[] = [];
  for (const cell of cellsOf(nb)) {
    if (cell.cell_type === 'markdown') parts.push(cell.source.trimEnd());
    else if (cell.cell_type === 'raw') {
      const format = String(cell.metadata.format ?? cell.metadata.raw_mimetype ?? '');
      if (format === 'text/markdown' || format === 'text/html') parts.push(cell.source.trimEnd());
    } else if (cell.cell_type === 'code') {
      parts.push(fence(cell.source, lang));
      for (const o of cell.outputs ?? []) {
        const md = outputMarkdown(o);
        if (md) parts.push(md);
      }
    }
  }
  return parts.filter((p) => p !== '').join('\n\n') + '\n';
}

function outputMarkdown(o: Output): string | undefined {
  if (o.output_type === 'stream') return indent(stripAnsi(o.text ?? ''));
  if (o.output_type === 'error') return indent(errorText(o));
  if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') return undefined;
  const data = o.data ?? {};
  for (const mime of IMAGE_TYPES) if (mime in data) return `![${mime.slice(6)}](data:${mime};base64,${base64Of(data[mime])})`;
  if ('image/svg+xml' in data) return `![svg](data:image/svg+xml;base64,${Buffer.from(dataText(data['image/svg+xml'])).toString('base64')})`;
  if ('text/markdown' in data) return dataText(data['text/markdown']).trimEnd();
  if ('text/html' in data) return dataText(data['text/html']).trim();
  if ('text/latex' in data) return dataText(data['text/latex']).trim();
  if ('text/plain' in data) return indent(stripAnsi(dataText(data['text/plain'])));
  return undefined;
}
