/**
 * Renders corpus documents with Debian's Chromium (playwright-core, no
 * browser download): clean screenshots (PNG/JPEG), PDFs with a text layer
 * (page.pdf), and scans: the screenshot degraded in the browser (rotation,
 * blur, contrast, SVG noise) and screenshotted again, or printed inside a
 * PDF page that holds only that picture.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { A4, RECEIPT_WIDTH, documentHtml, imagePageHtml, scannedHtml } from './layouts';
import type { DocumentSpec } from './documents';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface RenderedFile {
  bytes: Buffer;
  mediaType: 'application/pdf' | 'image/png' | 'image/jpeg';
  ext: 'pdf' | 'png' | 'jpg';
}

/** Pixels per CSS pixel of the screenshots: an A4 page becomes ~1588 px wide (~190 dpi). */
export const SCALE = 2;

export class CorpusRenderer implements AsyncDisposable {
  #browser: Browser | undefined;
  #doc: Page | undefined;
  #flat: Page | undefined;

  constructor(private readonly executablePath: string = '/usr/bin/chromium') {}

  async #pages(): Promise<{ doc: Page; flat: Page }> {
    if (!this.#browser) {
      this.#browser = await chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS });
      const docCtx = await this.#browser.newContext({ deviceScaleFactor: SCALE, viewport: { width: A4.width + 40, height: A4.height } });
      const flatCtx = await this.#browser.newContext({ deviceScaleFactor: 1, viewport: { width: 1000, height: 1000 } });
      this.#doc = await docCtx.newPage();
      this.#flat = await flatCtx.newPage();
    }
    return { doc: this.#doc!, flat: this.#flat! };
  }

  async render(spec: DocumentSpec, seed: number): Promise<RenderedFile> {
    const { doc, flat } = await this.#pages();
    await doc.setContent(documentHtml(spec), { waitUntil: 'load' });
    const el = doc.locator('.page');
    const width = spec.layout === 'receipt' || spec.layout === 'minimal-receipt' ? RECEIPT_WIDTH[spec.layout] : A4.width;
    const height = Math.ceil((await el.boundingBox())?.height ?? A4.height);
    if (spec.kind === 'text-pdf') {
      const bytes = await doc.pdf({ width: `${width}px`, height: `${Math.max(height, 100)}px`, printBackground: true, pageRanges: '1', margin: { top: '0', right: '0', bottom: '0', left: '0' } });
      return { bytes, mediaType: 'application/pdf', ext: 'pdf' };
    }
    if (spec.kind === 'image') {
      const jpeg = spec.format === 'jpeg';
      const bytes = await el.screenshot(jpeg ? { type: 'jpeg', quality: 88 } : { type: 'png' });
      return jpeg ? { bytes, mediaType: 'image/jpeg', ext: 'jpg' } : { bytes, mediaType: 'image/png', ext: 'png' };
    }
    const clean = await el.screenshot({ type: 'png' });
    const w = width * SCALE;
    const h = height * SCALE;
    await flat.setViewportSize({ width: w, height: h });
    await flat.setContent(scannedHtml(`data:image/png;base64,${clean.toString('base64')}`, w, h, spec.degrade!, seed % 1000), { waitUntil: 'load' });
    const scan = flat.locator('.scan');
    if (spec.kind === 'scanned-image') return { bytes: await scan.screenshot({ type: 'jpeg', quality: 80 }), mediaType: 'image/jpeg', ext: 'jpg' };
    const png = await scan.screenshot({ type: 'png' });
    await flat.setContent(imagePageHtml(`data:image/png;base64,${png.toString('base64')}`, width, height), { waitUntil: 'load' });
    const bytes = await flat.pdf({ preferCSSPageSize: true, printBackground: true });
    return { bytes, mediaType: 'application/pdf', ext: 'pdf' };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const b = this.#browser;
    this.#browser = undefined;
    if (b) await b.close();
  }
}
