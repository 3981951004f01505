/**
 * tesseract as a child process: one thread (OMP_THREAD_LIMIT=1, OCR.md), TSV
 * output for word-level confidences and boxes.
 */
import { readFile } from 'node:fs/promises';
import { runTool } from './run-tool';

export interface TesseractOptions {
  /** path of the tesseract binary; default from PATH */
  command?: string;
  /** traineddata languages, e.g. "eng" or "eng+deu" */
  languages?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A recognised word; box in the pixels of the image tesseract read. */
export interface TsvWord {
  text: string;
  /** 0..1 */
  conf: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** tesseract's block/paragraph/line, for grouping */
  line: string;
  /** page from 1 (multi-page TIFF) */
  page: number;
}

/** Level-5 (word) rows of tesseract's TSV with a confidence and text. */
export function parseTsv(tsv: string): TsvWord[] {
  const words: TsvWord[] = [];
  for (const row of tsv.split('\n')) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = f.slice(11).join('\t').trim();
    const conf = Number(f[10]);
    if (!text || !(conf >= 0)) continue;
    words.push({ text, conf: Math.min(1, conf / 100), left: Number(f[6]), top: Number(f[7]), width: Number(f[8]), height: Number(f[9]), line: `${f[2]}.${f[3]}.${f[4]}`, page: Number(f[1]) || 1 });
  }
  return words;
}

export async function tesseractTsv(imageFile: string, psm: number, dpi: number | undefined, opts: TesseractOptions): Promise<TsvWord[]> {
  const args = [imageFile, 'stdout', '-l', opts.languages ?? 'eng', '--psm', String(psm)];
  if (dpi) args.push('--dpi', String(dpi));
  args.push('tsv');
  const { stdout } = await runTool(opts.command ?? 'tesseract', args, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 120000,
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    action: 'recognise text',
  });
  return parseTsv(stdout.toString('utf8'));
}

/** Page sizes (pixels) from the level-1 rows of tesseract's TSV. */
export function tsvPageSizes(tsv: string): Map<number, { width: number; height: number }> {
  const out = new Map<number, { width: number; height: number }>();
  for (const row of tsv.split('\n')) {
    const f = row.split('\t');
    if (f[0] === '1' && f.length >= 10) out.set(Number(f[1]), { width: Number(f[8]), height: Number(f[9]) });
  }
  return out;
}

/**
 * TIFF (one or many pages, read by leptonica): OCR and tesseract's PDF
 * renderer in one run; the PDF carries the page images to poppler, for the
 * review screen. Returns the TSV text and the PDF's path.
 */
export async function tesseractTiff(imageFile: string, outBase: string, psm: number, opts: TesseractOptions): Promise<{ tsv: string; pdf: string }> {
  await runTool(opts.command ?? 'tesseract', [imageFile, outBase, '-l', opts.languages ?? 'eng', '--psm', String(psm), '-c', 'jpg_quality=90', 'tsv', 'pdf'], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 300000,
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    action: 'read TIFF',
  });
  return { tsv: await readFile(`${outBase}.tsv`, 'utf8'), pdf: `${outBase}.pdf` };
}

export async function tesseractVersion(opts: TesseractOptions): Promise<string> {
  const { stdout, stderr } = await runTool(opts.command ?? 'tesseract', ['--version'], { signal: opts.signal, timeoutMs: 15000, action: 'start tesseract' });
  const first = (stdout.toString('utf8') + stderr).split('\n')[0]!.trim();
  return /^tesseract\s+\S+/.exec(first)?.[0] ?? 'tesseract';
}
