/**
 * Markdown cells to HTML with marked (GitHub-flavoured, as JupyterLab
 * renders them). TeX between `$...$` / `$$...$$` is kept out of marked's
 * way (underscores would become emphasis) and written back as escaped
 * text. `attachment:name` images resolve to data URIs from the cell's
 * attachments.
 *
 * marked ships only as an ES module plus a UMD build; the gateway is
 * CommonJS, so the UMD build is evaluated once as a CommonJS module.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';

interface Marked {
  parse(src: string, options: { async: false; gfm: boolean }): string;
}

let marked: Marked | undefined;

function loadMarked(): Marked {
  if (marked) return marked;
  const file = join(dirname(require.resolve('marked/package.json')), 'lib', 'marked.umd.js');
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  compileFunction(readFileSync(file, 'utf8'), ['exports', 'module'], { filename: file })(mod.exports, mod);
  const m = mod.exports.marked as Marked | undefined;
  if (!m || typeof m.parse !== 'function') throw new Error(`Cannot load marked from ${file}: no parse function`);
  return (marked = m);
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const MATH = /\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$/g;

export function renderMarkdown(source: string, attachments?: Record<string, Record<string, unknown>>): string {
  const math: string[] = [];
  // Placeholders use private-use characters; a text that already has them is rendered unprotected rather than garbled.
  const protect = !/[\uE000\uE001]/.test(source);
  let src = protect ? source.replace(MATH, (m) => `\uE000${math.push(m) - 1}\uE001`) : source;
  if (attachments) {
    src = src.replace(/attachment:([^\s)"'>]+)/g, (whole, name: string) => {
      const bundle = attachments[name] ?? attachments[decodeURIComponent(name)];
      const mime = bundle && Object.keys(bundle).find((k) => k.startsWith('image/'));
      if (!mime) return whole;
      const data = bundle[mime];
      return mime === 'image/svg+xml' ? `data:${mime};base64,${Buffer.from(String(data)).toString('base64')}` : `data:${mime};base64,${String(data).replace(/\s+/g, '')}`;
    });
  }
  const html = loadMarked().parse(src, { async: false, gfm: true });
  return protect ? html.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => escapeHtml(math[Number(i)] ?? '')) : html;
}
