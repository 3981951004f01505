/**
 * Small line icons for what a search hit is (table, view, column,
 * notebook, glossary term), built with the DOM API (no markup parsing).
 * They draw with `currentColor`, so the theme's text colours apply.
 */
import type { SearchKind } from './types';

const SVG = 'http://www.w3.org/2000/svg';

type Shape = [tag: 'rect' | 'path' | 'circle', attrs: Record<string, string>];

const TABLE: Shape[] = [
  ['rect', { x: '3', y: '4', width: '18', height: '16', rx: '1.5' }],
  ['path', { d: 'M3 9h18M3 14.5h18M10 9v11' }],
];

const SHAPES: Record<SearchKind, Shape[]> = {
  table: TABLE,
  view: [
    ['rect', { x: '3', y: '4', width: '18', height: '16', rx: '1.5', 'stroke-dasharray': '3 2' }],
    ['circle', { cx: '12', cy: '12.5', r: '2.5' }],
    ['path', { d: 'M6 12.5c1.6-2.6 3.6-4 6-4s4.4 1.4 6 4c-1.6 2.6-3.6 4-6 4s-4.4-1.4-6-4z' }],
  ],
  column: [
    ['rect', { x: '7', y: '3', width: '10', height: '18', rx: '1.5' }],
    ['path', { d: 'M7 8h10M10 12h4M10 15.5h4' }],
  ],
  notebook: [
    ['rect', { x: '5', y: '3', width: '14', height: '18', rx: '1.5' }],
    ['path', { d: 'M9 3v18M12 8h4M12 12h4' }],
  ],
  glossary: [
    ['path', { d: 'M5 5.5A2.5 2.5 0 0 1 7.5 3H19v15H7.5A2.5 2.5 0 0 0 5 20.5z' }],
    ['path', { d: 'M5 20.5A2.5 2.5 0 0 0 7.5 21H19M9 7.5h6' }],
  ],
};

/** A 16 px icon of `kind`, hidden from screen readers (the kind is said in words beside it). */
export function kindIcon(kind: SearchKind): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', width: '16', height: '16', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.8', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false', class: `wb-catalog-kind-icon wb-catalog-kind-${kind}` })) {
    svg.setAttribute(k, v);
  }
  for (const [tag, attrs] of SHAPES[kind]) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}
