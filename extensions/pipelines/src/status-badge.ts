/**
 * A run's or task's status as a small tinted label (the colour comes from
 * `[data-status]` in the stylesheet, the word is always written: colour is
 * never the only cue).
 */
import { h } from '@workbench/lab-common';
import { statusLabel } from './format';
import type { RunStatus, TaskStatus } from './types';

export function statusBadge(status: RunStatus | TaskStatus, extraClass = ''): HTMLSpanElement {
  return h('span', { className: `wb-badge wb-pipelines-status${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'data-status': status } }, [statusLabel(status)]);
}

/** A progress bar: `role=progressbar` with its value and the text beside it. */
export function progressBar(fraction: number, text: string, label: string): HTMLElement {
  const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  const bar = h('span', { className: 'wb-pipelines-progress-fill' });
  bar.style.width = `${pct}%`;
  return h('span', { className: 'wb-pipelines-progress' }, [
    h('span', { className: 'wb-pipelines-progress-track', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-label': label } }, [bar]),
    h('span', { className: 'wb-pipelines-progress-text' }, [text]),
  ]);
}
