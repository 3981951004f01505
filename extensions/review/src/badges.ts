/**
 * Small pieces the queue and the document page share: a status as a tinted
 * label and a confidence as a bar with its percentage. The colour comes
 * from `[data-status]` / `[data-level]` in the stylesheet; the word or the
 * number is always written (colour is never the only cue).
 */
import { h } from '@workbench/lab-common';
import { formatConfidence, isLowConfidence, statusLabel } from './format';
import type { DocumentStatus } from './types';

export function statusBadge(status: DocumentStatus, extraClass = ''): HTMLSpanElement {
  return h('span', { className: `wb-badge wb-review-status${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'data-status': status } }, [statusLabel(status)]);
}

/** A confidence 0..1 as a bar (`role=meter`) and its percentage; low ones (below 85%) are flagged. */
export function confidenceBar(c: number | null, label: string): HTMLElement {
  if (c === null) return h('span', { className: 'wb-review-confidence', attrs: { 'data-level': 'none' } }, ['—']);
  const pct = Math.floor(Math.max(0, Math.min(1, c)) * 100);
  const fill = h('span', { className: 'wb-review-meter-fill' });
  fill.style.width = `${pct}%`;
  const low = isLowConfidence(c);
  return h('span', { className: 'wb-review-confidence', attrs: { 'data-level': low ? 'low' : 'ok' }, title: low ? `${label}: ${formatConfidence(c)}, below 85%` : `${label}: ${formatConfidence(c)}` }, [
    h('span', { className: 'wb-review-meter', attrs: { role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-label': label } }, [fill]),
    h('span', { className: 'wb-review-confidence-text' }, [formatConfidence(c)]),
  ]);
}
