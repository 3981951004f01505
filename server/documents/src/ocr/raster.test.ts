import { deflateSync } from 'node:zlib';
import { AppError } from '@workbench/core';
import { estimateSkew, rotateBox } from './deskew';
import { decodePngGray, encodePngGray } from './png';
import { jpegSize, jpegToPdf, parseBboxLayout } from './poppler';
import { downscale, encodePgm, parsePnm, rotate, type Gray } from './raster';

/** A page of "text lines": dark bars 6 px tall every 30 px, with gaps like words. */
function lines(width = 500, height = 600): Gray {
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 60; y < height - 60; y += 30) {
    for (let x = 40; x < width - 40; x++) {
      if (x % 90 > 70) continue;
      for (let dy = 0; dy < 8; dy++) data[(y + dy) * width + x] = 20;
    }
  }
  return { width, height, data };
}

describe('raster', () => {
  test('PGM round trip', () => {
    const img = lines(50, 40);
    expect(parsePnm(encodePgm(img))).toEqual(img);
  });

  test('PNG gray round trip, and a truncated PNG is a bad_request', () => {
    const img = lines(120, 90);
    const png = encodePngGray(img);
    expect(decodePngGray(png)).toEqual(img);
    expect(() => decodePngGray(png.subarray(0, png.length - 30))).toThrow(AppError);
    expect(() => decodePngGray(Buffer.from('not a png'))).toThrow(/Cannot read PNG/);
  });

  test('PNG RGBA over white becomes gray', () => {
    // 2x1 RGBA: opaque red, fully transparent black
    const raw = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 0]);
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(2, 0);
    ihdr.writeUInt32BE(1, 4);
    ihdr[8] = 8;
    ihdr[9] = 6;
    const gray = decodePngGray(buildPng(ihdr, deflateSync(raw)));
    expect([...gray.data]).toEqual([76, 255]);
  });

  test('downscale averages', () => {
    const img: Gray = { width: 4, height: 2, data: Uint8Array.from([0, 0, 255, 255, 0, 0, 255, 255]) };
    expect([...downscale(img, 2).data]).toEqual([0, 255]);
  });

  test('skew is measured and rotate levels it', () => {
    const level = lines();
    expect(estimateSkew(level)).toBe(0);
    const skewed = rotate(level, 2.5);
    const angle = estimateSkew(skewed);
    expect(Math.abs(angle + 2.5)).toBeLessThanOrEqual(0.2);
    expect(estimateSkew(rotate(skewed, angle))).toBe(0);
  });

  test('rotateBox and its inverse', () => {
    const box = { page: 1, x: 100, y: 500, w: 80, h: 20 };
    const there = rotateBox(box, 3, 800, 1000);
    expect(there).not.toEqual(box);
    const back = rotateBox(there, 3, 800, 1000, true);
    expect(Math.abs(back.x - box.x) + Math.abs(back.y - box.y)).toBeLessThanOrEqual(2);
  });
});

describe('poppler helpers', () => {
  test('pdftotext -bbox-layout words with entities', () => {
    const pages = parseBboxLayout(
      '<doc><page width="595.0" height="842.0"><flow><block><line><word xMin="10.5" yMin="20" xMax="40" yMax="30">R&amp;D</word><word xMin="45" yMin="20" xMax="60" yMax="30">&#8364;5</word></line></block></flow></page><page width="100" height="200"></page></doc>',
    );
    expect(pages).toEqual([
      { width: 595, height: 842, words: [{ text: 'R&D', xMin: 10.5, yMin: 20, xMax: 40, yMax: 30 }, { text: '€5', xMin: 45, yMin: 20, xMax: 60, yMax: 30 }] },
      { width: 100, height: 200, words: [] },
    ]);
  });

  test('JPEG frame size, and a PDF wrapping it', () => {
    // SOI, APP0 (length 4), SOF0 height 3 width 5, 1 component
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x03, 0x00, 0x05, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    expect(jpegSize(jpeg)).toEqual({ width: 5, height: 3, components: 1 });
    const pdf = jpegToPdf(jpeg, 300).toString('latin1');
    expect(pdf).toMatch(/^%PDF-1\.4/);
    expect(pdf).toContain('/Width 5 /Height 3 /ColorSpace /DeviceGray');
    expect(() => jpegSize(jpeg.subarray(0, 8))).toThrow(/Cannot read JPEG/);
  });
});

function buildPng(ihdr: Buffer, idat: Buffer): Buffer {
  // reuse the encoder's chunk framing through a 1x1 image, then swap the chunks
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(kind: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(kind, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
