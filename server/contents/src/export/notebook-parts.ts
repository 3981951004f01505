/**
 * What every exporter reads from a notebook: its cells and outputs in the
 * API form (multi-line strings joined), its language, and output text
 * without terminal colour codes.
 */
import type { NotebookJSON } from '../nbformat';

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw' | string;
  source: string;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: Output[];
  attachments?: Record<string, Record<string, unknown>>;
}

export interface Output {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface Language {
  name: string;
  /** With the dot: ".py". */
  extension: string;
  /** Line comment marker: "#", "--", "//". */
  comment: string;
  mimetype: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join('') : '');

export function cellsOf(nb: NotebookJSON): Cell[] {
  return (Array.isArray(nb.cells) ? nb.cells : [])
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
    .map((c) => ({
      ...(c as unknown as Cell),
      source: text(c.source),
      metadata: typeof c.metadata === 'object' && c.metadata ? (c.metadata as Record<string, unknown>) : {},
      outputs: Array.isArray(c.outputs) ? (c.outputs as Output[]).filter((o) => typeof o === 'object' && o !== null).map((o) => ({ ...o, text: o.text === undefined ? undefined : text(o.text) })) : [],
    }));
}

const LANGUAGES: Record<string, Omit<Language, 'name'>> = {
  python: { extension: '.py', comment: '#', mimetype: 'text/x-python' },
  sql: { extension: '.sql', comment: '--', mimetype: 'application/sql' },
  typescript: { extension: '.ts', comment: '//', mimetype: 'text/typescript' },
  javascript: { extension: '.js', comment: '//', mimetype: 'text/javascript' },
  r: { extension: '.r', comment: '#', mimetype: 'text/x-r' },
  julia: { extension: '.jl', comment: '#', mimetype: 'text/x-julia' },
  bash: { extension: '.sh', comment: '#', mimetype: 'text/x-sh' },
  scala: { extension: '.scala', comment: '//', mimetype: 'text/x-scala' },
};

/** The notebook's language from language_info (what the kernel said), else the kernelspec, else Python. */
export function languageOf(nb: NotebookJSON): Language {
  const md = nb.metadata ?? {};
  const info = (md.language_info ?? {}) as { name?: unknown; file_extension?: unknown; mimetype?: unknown };
  const spec = (md.kernelspec ?? {}) as { language?: unknown };
  const name = String(info.name ?? spec.language ?? 'python').toLowerCase();
  const known = LANGUAGES[name];
  const ext = typeof info.file_extension === 'string' && /^\.[\w.+-]{1,16}$/.test(info.file_extension) ? info.file_extension : (known?.extension ?? '.txt');
  return { name, extension: ext, comment: known?.comment ?? '#', mimetype: known?.mimetype ?? 'text/plain' };
}

// CSI sequences (colours, cursor), OSC sequences (titles, links), and two-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** An error output as plain text: the traceback without colours, or "ename: evalue". */
export function errorText(o: Output): string {
  const tb = Array.isArray(o.traceback) ? o.traceback.filter((l) => typeof l === 'string') : [];
  return stripAnsi(tb.length ? tb.join('\n') : `${o.ename ?? 'Error'}: ${o.evalue ?? ''}`);
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** Base64 payload of a binary mime type, without the line breaks nbformat may keep in it. */
export function base64Of(v: unknown): string {
  return text(v).replace(/\s+/g, '');
}

export function dataText(v: unknown): string {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v, null, 2) : text(v);
}
