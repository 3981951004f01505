/**
 * Exporting a notebook to the formats the server offers (what
 * `/api/nbconvert` lists and `/nbconvert/{format}/{path}` produces).
 * Pure: a notebook in, text out.
 */
import { AppError } from '@workbench/core';
import type { NotebookJSON } from '../nbformat';
import { notebookToHtml } from './html-export';
import { notebookToMarkdown } from './markdown-export';
import { notebookToScript } from './script-export';

export type ExportFormat = 'html' | 'markdown' | 'notebook' | 'script';

/** jupyter_server's `/api/nbconvert` reply: format -> {output_mimetype}. */
export const EXPORT_FORMATS: Readonly<Record<ExportFormat, { output_mimetype: string }>> = {
  html: { output_mimetype: 'text/html' },
  markdown: { output_mimetype: 'text/markdown' },
  notebook: { output_mimetype: 'application/json' },
  script: { output_mimetype: 'text/plain' },
};

export function isExportFormat(format: string): format is ExportFormat {
  return Object.prototype.hasOwnProperty.call(EXPORT_FORMATS, format);
}

export interface ExportInput {
  /** The parsed notebook (multi-line strings may be lists or joined). */
  notebook: NotebookJSON;
  /** The file as stored, for the `notebook` format. */
  raw: string;
  /** File name without extension: the page title and download name. */
  stem: string;
}

export interface ExportResult {
  body: string;
  /** Content-Type without charset. */
  mimetype: string;
  /** Download file name, e.g. "analysis.html". */
  filename: string;
}

export function exportNotebook(format: string, input: ExportInput): ExportResult {
  if (!isExportFormat(format)) throw new AppError('not_found', `Cannot export to ${format}: no exporter for format ${format} (available: ${Object.keys(EXPORT_FORMATS).join(', ')})`);
  switch (format) {
    case 'notebook':
      return { body: input.raw, mimetype: 'application/json', filename: `${input.stem}.ipynb` };
    case 'html':
      return { body: notebookToHtml(input.notebook, input.stem), mimetype: 'text/html', filename: `${input.stem}.html` };
    case 'markdown':
      return { body: notebookToMarkdown(input.notebook), mimetype: 'text/markdown', filename: `${input.stem}.md` };
    case 'script': {
      const { text, language } = notebookToScript(input.notebook);
      return { body: text, mimetype: language.mimetype, filename: `${input.stem}${language.extension}` };
    }
  }
}
