/**
 * tesseract as a child process: one thread (OMP_THREAD_LIMIT=1, OCR.md), TSV
 * output for word-level confidences and boxes.
 */
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
    words.push({ text, conf: Math.min(1, conf / 100), left: Number(f[6]), top: Number(f[7]), width: Number(f[8]), height: Number(f[9]), line: `${f[2]}.${f[3]}.${f[4]}` });
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

/** tesseract's PDF renderer: used for TIFF input, whose pages poppler then rasterises. */
export async function tesseractPdf(imageFile: string, outBase: string, opts: TesseractOptions): Promise<string> {
  await runTool(opts.command ?? 'tesseract', [imageFile, outBase, '-l', opts.languages ?? 'eng', '--psm', '0', '-c', 'textonly_pdf=0', 'pdf'], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 120000,
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    action: 'read TIFF',
  });
  return `${outBase}.pdf`;
}

export async function tesseractVersion(opts: TesseractOptions): Promise<string> {
  const { stdout, stderr } = await runTool(opts.command ?? 'tesseract', ['--version'], { signal: opts.signal, timeoutMs: 15000, action: 'start tesseract' });
  const first = (stdout.toString('utf8') + stderr).split('\n')[0]!.trim();
  return /^tesseract\s+\S+/.exec(first)?.[0] ?? 'tesseract';
}
