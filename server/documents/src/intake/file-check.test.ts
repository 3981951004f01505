/**
 * What the intake refuses before anything is stored or read, each with a
 * reason a sender can act on: an empty file, one over the size limit, one
 * that is not a PDF or an image (or not what its Content-Type says), a
 * damaged image header, an image bomb (a header claiming gigapixels), a
 * PDF with JavaScript (plain or inside a compressed object stream), a
 * password-protected PDF (made by Debian's qpdf), too many pages, a giant
 * page, and a PDF poppler cannot open.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encodePngGray } from '../ocr/png';
import { checkFile, DEFAULT_FILE_LIMITS, imageSize, sniffMediaType } from './file-check';

/** A minimal valid PDF: `pages` pages of `w` x `h` points, an optional catalog extra (e.g. an OpenAction). */
function pdf(opts: { pages?: number; w?: number; h?: number; catalogExtra?: string; extraObjects?: string[] } = {}): Buffer {
  const n = opts.pages ?? 1;
  const objs: string[] = [];
  const kids = Array.from({ length: n }, (_, i) => `${3 + i} 0 R`).join(' ');
  objs.push(`<< /Type /Catalog /Pages 2 0 R ${opts.catalogExtra ?? ''} >>`);
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${n} >>`);
  for (let i = 0; i < n; i++) objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${opts.w ?? 612} ${opts.h ?? 792}] >>`);
  objs.push(...(opts.extraObjects ?? []));
  let out = '%PDF-1.5\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const png = (w: number, h: number) => encodePngGray({ width: w, height: h, data: new Uint8Array(w * h).fill(200) });

/** A PNG whose header claims width x height over a tiny compressed body: what a decoder would blow up on. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1 << 20))), chunk('IEND', Buffer.alloc(0))]);
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

describe('checkFile', () => {
  it('accepts a PDF, PNG and JPEG header for what they are, with their page count', async () => {
    await expect(checkFile(pdf({ pages: 2 }), 'application/pdf')).resolves.toEqual({ mediaType: 'application/pdf', pages: 2 });
    await expect(checkFile(png(30, 20), 'image/png')).resolves.toEqual({ mediaType: 'image/png', pages: 1 });
    await expect(checkFile(png(30, 20), undefined)).resolves.toEqual({ mediaType: 'image/png', pages: 1 });
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(imageSize(png(30, 20), 'image/png')).toEqual({ width: 30, height: 20 });
  });

  it('refuses an empty file, an oversized one, and one that is not a document or not what it claims', async () => {
    expect(await refusal(checkFile(Buffer.alloc(0), 'image/png'))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: it is empty (0 bytes)' });
    expect(await refusal(checkFile(png(10, 10), 'image/png', { ...DEFAULT_FILE_LIMITS, maxBytes: 20 }))).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/over the limit of 20 bytes/) });
    expect(await refusal(checkFile(Buffer.from('<html><script>x</script>'), 'image/png'))).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/not a PDF, PNG, JPEG or TIFF/) });
    expect(await refusal(checkFile(png(10, 10), 'application/pdf'))).toEqual({ code: 'unsupported_media_type', message: 'Cannot accept the file: it was sent as application/pdf but its content is image/png' });
    expect(await refusal(checkFile(png(10, 10).subarray(0, 14), 'image/png'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/header is damaged or truncated/) });
  });

  it('refuses an image bomb from its header, before any decoder sees it', async () => {
    const bomb = pngBomb(100_000, 100_000);
    expect(bomb.length).toBeLessThan(10_000);
    expect(await refusal(checkFile(bomb, 'image/png'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/100000 × 100000 pixels, over the limit/) });
  });

  it('refuses a PDF with JavaScript, in plain sight or inside a compressed object stream', async () => {
    const plain = pdf({ catalogExtra: '/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>' });
    expect(await refusal(checkFile(plain, 'application/pdf'))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: the PDF contains JavaScript or a launch action' });
    // qpdf packs the action into a compressed object stream, where the bytes no longer say /JavaScript.
    const dir = await mkdtemp(join(tmpdir(), 'wb-pdfjs-'));
    try {
      await writeFile(join(dir, 'in.pdf'), plain);
      execFileSync('qpdf', ['--object-streams=generate', '--compress-streams=y', join(dir, 'in.pdf'), join(dir, 'packed.pdf')]);
      const packed = await readFile(join(dir, 'packed.pdf'));
      expect(packed.toString('latin1')).not.toMatch(/\/JavaScript/);
      expect(await refusal(checkFile(packed, 'application/pdf'))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: the PDF contains JavaScript or a launch action' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a password-protected PDF', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wb-pdfpw-'));
    try {
      await writeFile(join(dir, 'in.pdf'), pdf());
      execFileSync('qpdf', ['--encrypt', 'user-pw', 'owner-pw', '256', '--', join(dir, 'in.pdf'), join(dir, 'locked.pdf')]);
      expect(await refusal(checkFile(await readFile(join(dir, 'locked.pdf')), 'application/pdf'))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: the PDF is password-protected' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses too many pages, a giant page, and a PDF poppler cannot open', async () => {
    expect(await refusal(checkFile(pdf({ pages: 3 }), 'application/pdf', { ...DEFAULT_FILE_LIMITS, maxPages: 2 }))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: the PDF has 3 pages, over the limit of 2' });
    expect(await refusal(checkFile(pdf({ w: 14400, h: 14400 }), 'application/pdf'))).toEqual({ code: 'bad_request', message: 'Cannot accept the file: page 1 is 200 × 200 inches, over the limit of 50 inches a side' });
    expect(await refusal(checkFile(Buffer.from('%PDF-1.4\nthis is not a pdf at all'), 'application/pdf'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Cannot accept the file: it is not a readable PDF/) });
  });
});
