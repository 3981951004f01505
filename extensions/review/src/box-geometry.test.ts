import { boxPercent, scaleBox, sizeOfPage } from './box-geometry';

const PAGE = { page: 1, width: 1440, height: 1048 };

describe('boxPercent', () => {
  it('places a box in percent of its page image, so it scales with any displayed width', () => {
    expect(boxPercent({ page: 1, x: 144, y: 524, w: 288, h: 104.8 }, PAGE)).toEqual({ left: 10, top: 50, width: 20, height: 10 });
  });

  it('grows the box by the padding, cut at the page edges', () => {
    expect(boxPercent({ page: 1, x: 0, y: 0, w: 144, h: 104.8 }, PAGE, 14.4)).toEqual({ left: 0, top: 0, width: 11, height: expect.closeTo(11.374, 3) });
    const r = boxPercent({ page: 1, x: 1400, y: 1000, w: 100, h: 100 }, PAGE)!;
    expect(r.left + r.width).toBeCloseTo(100, 6);
    expect(r.top + r.height).toBeCloseTo(100, 6);
  });

  it('is null for a box outside the page, an empty box or a page without a size', () => {
    expect(boxPercent({ page: 1, x: 2000, y: 10, w: 50, h: 10 }, PAGE)).toBeNull();
    expect(boxPercent({ page: 1, x: 10, y: 10, w: 0, h: 10 }, PAGE)).toBeNull();
    expect(boxPercent({ page: 1, x: 10, y: 10, w: -5, h: 10 }, PAGE)).toBeNull();
    expect(boxPercent({ page: 1, x: 10, y: 10, w: 5, h: 10 }, { page: 1, width: 0, height: 100 })).toBeNull();
  });
});

describe('scaleBox', () => {
  it('gives display pixels for the width the image is shown at (the height follows its aspect ratio)', () => {
    expect(scaleBox({ page: 1, x: 1177, y: 902, w: 155, h: 32 }, PAGE, 720)).toEqual({ x: 588.5, y: 451, w: 77.5, h: 16 });
    expect(scaleBox({ page: 1, x: 100, y: 100, w: 10, h: 10 }, PAGE, 1440, 2)).toEqual({ x: 98, y: 98, w: 14, h: 14 });
    expect(scaleBox({ page: 1, x: 100, y: 100, w: 10, h: 10 }, PAGE, 0)).toBeNull();
  });
});

describe('sizeOfPage', () => {
  it('finds a page by its number (from 1), null when the server listed no size for it', () => {
    const sizes = [PAGE, { page: 2, width: 800, height: 600 }];
    expect(sizeOfPage(sizes, 2)).toEqual({ page: 2, width: 800, height: 600 });
    expect(sizeOfPage(sizes, 3)).toBeNull();
  });
});
