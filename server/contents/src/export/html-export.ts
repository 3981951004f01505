/**
 * A notebook as one standalone HTML page (nbconvert's `html` exporter,
 * simplified): markdown rendered, code escaped, outputs shown by their
 * richest mime type, images inline as data URIs, colour codes stripped.
 *
 * Like nbconvert's default, HTML and SVG from outputs and markdown are not
 * sanitised: this is the user's own notebook turned into a file. When the
 * server shows it in a browser tab, the response carries a CSP sandbox
 * (as jupyter_server does) so scripts in it cannot reach the server.
 */
import type { NotebookJSON } from '../nbformat';
import { escapeHtml, renderMarkdown } from './markdown-render';
import { base64Of, Cell, cellsOf, dataText, errorText, IMAGE_TYPES, languageOf, Output, stripAnsi } from './notebook-parts';

const STYLE = `
body{margin:0;background:#fff;color:#212121;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1000px;margin:0 auto;padding:24px 16px}
.cell{display:grid;grid-template-columns:72px minmax(0,1fr);gap:0 8px;margin:8px 0}
.prompt{grid-column:1;color:#616161;font:12px/1.9 ui-monospace,SFMono-Regular,Menlo,monospace;text-align:right;white-space:nowrap}
.prompt.out{color:#bf5b3d}
.input,.output,.markdown{grid-column:2;min-width:0}
.input pre{background:#f5f5f5;border:1px solid #e0e0e0;border-radius:2px;padding:6px 8px}
pre{margin:0;overflow-x:auto;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-word}
.output{padding:4px 0}
.stderr{background:#fdd;padding:4px 8px}
.error pre{background:#fdd;padding:4px 8px}
.output img,.markdown img{max-width:100%;height:auto}
.output table,.markdown table{border-collapse:collapse;font-size:12px}
.output th,.output td,.markdown th,.markdown td{border:1px solid #e0e0e0;padding:2px 8px;text-align:right}
.markdown{padding:0 8px}
.markdown pre{background:#f5f5f5;padding:6px 8px}
`;

export function notebookToHtml(nb: NotebookJSON, title: string): string {
  const lang = languageOf(nb).name;
  const body = cellsOf(nb)
    .map((c) => cellHtml(c, lang))
    .filter(Boolean)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Workbench">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="notebook">
${body}
</main>
</body>
</html>
`;
}

function cellHtml(cell: Cell, lang: string): string {
  if (cell.cell_type === 'markdown') {
    return `<section class="cell markdown-cell"><div class="markdown">${renderMarkdown(cell.source, cell.attachments)}</div></section>`;
  }
  if (cell.cell_type === 'raw') {
    const format = String(cell.metadata.format ?? cell.metadata.raw_mimetype ?? '');
    // nbconvert keeps raw cells only when they are meant for this format.
    return format === 'text/html' ? `<section class="cell raw-cell"><div class="markdown">${cell.source}</div></section>` : '';
  }
  if (cell.cell_type !== 'code') return '';
  const count = cell.execution_count ?? ' ';
  const parts = [`<div class="prompt">In&nbsp;[${escapeHtml(String(count))}]:</div>`, `<div class="input"><pre><code class="language-${escapeHtml(lang)}">${escapeHtml(cell.source)}</code></pre></div>`];
  for (const o of cell.outputs ?? []) parts.push(...outputHtml(o));
  return `<section class="cell code-cell">\n${parts.join('\n')}\n</section>`;
}

function outputHtml(o: Output): string[] {
  const prompt = o.output_type === 'execute_result' ? `<div class="prompt out">Out[${escapeHtml(String(o.execution_count ?? ' '))}]:</div>` : '<div class="prompt"></div>';
  const wrap = (cls: string, html: string) => [prompt, `<div class="output ${cls}">${html}</div>`];
  switch (o.output_type) {
    case 'stream':
      return wrap(o.name === 'stderr' ? 'stream stderr' : 'stream stdout', `<pre>${escapeHtml(stripAnsi(o.text ?? ''))}</pre>`);
    case 'error':
      return wrap('error', `<pre>${escapeHtml(errorText(o))}</pre>`);
    case 'display_data':
    case 'execute_result': {
      const html = richest(o.data ?? {}, o.metadata ?? {});
      return html === undefined ? [] : wrap('display', html);
    }
    default:
      return [];
  }
}

/** The richest representation we can show, in JupyterLab's order of preference. */
function richest(data: Record<string, unknown>, metadata: Record<string, unknown>): string | undefined {
  if ('text/html' in data) return dataText(data['text/html']);
  if ('image/svg+xml' in data) return dataText(data['image/svg+xml']);
  for (const mime of IMAGE_TYPES) {
    if (!(mime in data)) continue;
    const md = (metadata[mime] ?? {}) as { width?: unknown; height?: unknown };
    const size = (['width', 'height'] as const).map((k) => (typeof md[k] === 'number' ? ` ${k}="${md[k]}"` : '')).join('');
    return `<img src="data:${mime};base64,${base64Of(data[mime])}"${size} alt="output">`;
  }
  if ('text/markdown' in data) return renderMarkdown(dataText(data['text/markdown']));
  if ('text/latex' in data) return `<pre>${escapeHtml(dataText(data['text/latex']))}</pre>`;
  const json = Object.keys(data).find((k) => k === 'application/json' || (k.startsWith('application/') && k.endsWith('+json')));
  if ('text/plain' in data) return `<pre>${escapeHtml(stripAnsi(dataText(data['text/plain'])))}</pre>`;
  if (json) return `<pre>${escapeHtml(dataText(data[json]))}</pre>`;
  return undefined;
}
