/**
 * The document's page images (`GET api/documents/{id}/pages/{n}`, fetched
 * with the page's credentials and shown from object URLs) with every
 * extracted field's and line's box drawn over them. Boxes are placed in
 * percent of the image (box-geometry.ts), so they stay on their words at
 * any displayed width: the column's, or zoomed (the pages then scroll in
 * their own box). Hovering a box says which field it is and lights up its
 * form field (`onHover`); clicking it focuses that field (`onPick`);
 * `highlight(key)` lights up a box from the form's side. Low-confidence
 * boxes are drawn in the warning colour.
 *
 * DOM hooks: `.wb-review-pages[data-zoom]`, `button.wb-review-zoom-in`, `-zoom-out`, `-zoom-fit`,
 * `figure.wb-review-page[data-page][data-state=loading|ready|error]` with `img.wb-review-page-image`,
 * `.wb-review-box[data-key][data-page][data-low][data-active]` (key `field:<name>` or `line:<index>`).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { boxPercent, sizeOfPage } from './box-geometry';
import { errorText } from './review-api';
import type { ReviewClient } from './review-client';
import type { Box, PageSize } from './types';

/** A box to draw: `key` is shared with the form (`field:total`, `line:0`). */
export interface BoxItem {
  key: string;
  label: string;
  box: Box;
  low: boolean;
}

export interface PageViewOptions {
  client: ReviewClient;
  documentId: string;
  onHover: (key: string | null) => void;
  onPick: (key: string) => void;
}

const ZOOMS = [100, 150, 200, 300];
/** Image pixels around a box, so the highlight does not touch the ink. */
const PAD = 6;

export class PageView {
  readonly node: HTMLElement;
  private readonly options: PageViewOptions;
  private readonly pagesBox: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly urls: string[] = [];
  private readonly abort = new AbortController();
  private shownSizes = '';
  private zoom = 100;
  private active: string | null = null;
  private disposed = false;

  constructor(options: PageViewOptions) {
    this.options = options;
    const zoomButton = (cls: string, label: string, aria: string, to: () => number) => {
      const b = h('button', { className: `jp-Button jp-mod-styled jp-mod-reject wb-button-small ${cls}`, title: aria, attrs: { type: 'button', 'aria-label': aria } }, [label]);
      b.addEventListener('click', () => this.setZoom(to()));
      return b;
    };
    this.zoomLabel = h('span', { className: 'wb-review-zoom-label', attrs: { 'aria-live': 'polite' } }, ['100%']);
    this.pagesBox = h('div', { className: 'wb-review-pages-scroll' });
    this.node = h('section', { className: 'wb-review-pages', attrs: { 'aria-label': 'Pages', 'data-zoom': '100' } }, [
      h('div', { className: 'wb-review-pages-bar' }, [
        h('h3', { className: 'wb-review-section-title' }, ['Pages']),
        h('span', { className: 'wb-review-spacer' }),
        zoomButton('wb-review-zoom-out', '−', 'Zoom out', () => ZOOMS[Math.max(0, ZOOMS.indexOf(this.zoom) - 1)]!),
        this.zoomLabel,
        zoomButton('wb-review-zoom-in', '+', 'Zoom in', () => ZOOMS[Math.min(ZOOMS.length - 1, ZOOMS.indexOf(this.zoom) + 1)]!),
        zoomButton('wb-review-zoom-fit', 'Fit', 'Fit the width', () => 100),
      ]),
      this.pagesBox,
    ]);
  }

  /** Draws the pages of `sizes` (loading each image once) and `items` over them. */
  show(sizes: readonly PageSize[], items: readonly BoxItem[], emptyText: string): void {
    const key = JSON.stringify(sizes);
    if (key !== this.shownSizes) {
      this.shownSizes = key;
      this.drawPages(sizes, emptyText);
    }
    for (const figure of this.pagesBox.querySelectorAll<HTMLElement>('figure.wb-review-page')) {
      const page = Number(figure.dataset.page);
      const frame = figure.querySelector<HTMLElement>('.wb-review-page-frame')!;
      const size = sizeOfPage(sizes, page);
      frame.querySelectorAll('.wb-review-box').forEach((b) => b.remove());
      if (!size) continue;
      for (const item of items.filter((i) => i.box.page === page)) {
        const rect = boxPercent(item.box, size, PAD);
        if (!rect) continue;
        const el = h('div', { className: 'wb-review-box', title: item.label, attrs: { 'data-key': item.key, 'data-page': String(page), 'data-low': String(item.low), 'data-active': String(item.key === this.active) } });
        Object.assign(el.style, { left: `${rect.left}%`, top: `${rect.top}%`, width: `${rect.width}%`, height: `${rect.height}%` });
        el.addEventListener('mouseenter', () => this.options.onHover(item.key));
        el.addEventListener('mouseleave', () => this.options.onHover(null));
        el.addEventListener('click', () => this.options.onPick(item.key));
        frame.append(el);
      }
    }
  }

  /** Lights up the box(es) of `key` (null: none) and brings the first into view when `reveal`. */
  highlight(key: string | null, reveal = false): void {
    this.active = key;
    let first: HTMLElement | null = null;
    for (const b of this.pagesBox.querySelectorAll<HTMLElement>('.wb-review-box')) {
      const on = key !== null && b.dataset.key === key;
      b.dataset.active = String(on);
      if (on && !first) first = b;
    }
    if (reveal && first) first.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private setZoom(z: number): void {
    this.zoom = z;
    this.node.dataset.zoom = String(z);
    this.zoomLabel.textContent = `${z}%`;
    for (const f of this.pagesBox.querySelectorAll<HTMLElement>('.wb-review-page-frame')) f.style.width = `${z}%`;
  }

  private drawPages(sizes: readonly PageSize[], emptyText: string): void {
    for (const u of this.urls.splice(0)) URL.revokeObjectURL(u);
    if (sizes.length === 0) {
      replaceChildren(this.pagesBox, [h('p', { className: 'wb-status wb-review-pages-empty' }, [emptyText])]);
      return;
    }
    replaceChildren(
      this.pagesBox,
      sizes.map((s) => {
        const frame = h('div', { className: 'wb-review-page-frame' });
        frame.style.aspectRatio = `${s.width} / ${s.height}`;
        frame.style.width = `${this.zoom}%`;
        const status = h('span', { className: 'wb-review-page-status' }, [`Loading page ${s.page}…`]);
        frame.append(status);
        const figure = h('figure', { className: 'wb-review-page', attrs: { 'data-page': String(s.page), 'data-state': 'loading' } }, [frame, sizes.length > 1 ? h('figcaption', { className: 'wb-review-page-caption' }, [`Page ${s.page} of ${sizes.length}`]) : null]);
        void this.loadPage(s, figure, frame, status);
        return figure;
      }),
    );
  }

  private async loadPage(s: PageSize, figure: HTMLElement, frame: HTMLElement, status: HTMLElement): Promise<void> {
    try {
      const blob = await this.options.client.page(this.options.documentId, s.page, { signal: this.abort.signal });
      if (this.disposed) return;
      const url = URL.createObjectURL(blob);
      this.urls.push(url);
      const img = h('img', { className: 'wb-review-page-image', attrs: { alt: `Page ${s.page} of the document`, draggable: 'false' } });
      img.addEventListener('load', () => (figure.dataset.state = 'ready'), { once: true });
      img.addEventListener('error', () => {
        figure.dataset.state = 'error';
        status.textContent = `Cannot show page ${s.page}: the image does not load`;
      });
      img.src = url;
      status.remove();
      frame.prepend(img);
    } catch (err) {
      if (this.disposed) return;
      figure.dataset.state = 'error';
      status.textContent = errorText(err, `load page ${s.page}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    for (const u of this.urls.splice(0)) URL.revokeObjectURL(u);
  }
}
