/**
 * The run page's Checks section: the data-quality checks its tasks ran
 * (checks-view.ts), hidden when there are none, drawn again as the run
 * reloads with the samples the reader opened kept open. One check can be
 * brought into view (a link from a run's email names it: `?check=`): its
 * row highlighted at every drawing, its sample opened and scrolled to the
 * first time it is there.
 *
 * DOM hooks: `section.wb-pipelines-section-checks[data-count]`, the count
 * in `.wb-pipelines-count`, the checks table, `tr.wb-pipelines-check.wb-pipelines-check-focused`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { checksView, openSamples, sampleKey } from './checks-view';
import type { TaskCheck } from './types';

export class RunChecksSection {
  readonly node: HTMLElement;
  private readonly box: HTMLElement;
  private readonly count: HTMLElement;
  /** The check to bring into view at the next drawing that has it. */
  private toFocus: string | null;
  /** The check brought into view: highlighted at every drawing. */
  private focused: { taskId: string; name: string } | null = null;
  private checks: readonly TaskCheck[] | null = null;

  constructor(focus?: string) {
    this.toFocus = focus ?? null;
    this.box = h('div', { className: 'wb-pipelines-checks-box' });
    this.count = h('span', { className: 'wb-pipelines-count' });
    this.node = h('section', { className: 'wb-pipelines-section wb-pipelines-section-checks', attrs: { 'aria-label': 'Checks' } }, [
      h('h3', { className: 'wb-pipelines-section-title' }, ['Checks', this.count]),
      this.box,
    ]);
    this.node.hidden = true;
  }

  /** Draws the checks; samples the reader expanded stay expanded. */
  render(checks: readonly TaskCheck[]): void {
    this.checks = checks;
    this.node.hidden = checks.length === 0;
    this.node.dataset.count = String(checks.length);
    this.count.textContent = String(checks.length);
    const open = openSamples(this.box);
    const focus = this.toFocus === null ? undefined : checks.find((c) => c.name === this.toFocus);
    if (focus) {
      this.toFocus = null;
      this.focused = { taskId: focus.taskId, name: focus.name };
      open.add(sampleKey(focus.taskId, focus.name));
    }
    replaceChildren(this.box, checks.length === 0 ? [] : [checksView(checks, open)]);
    const marked = this.focused;
    if (marked === null) return;
    for (const row of this.box.querySelectorAll<HTMLElement>('tr.wb-pipelines-check')) {
      if (row.dataset.name !== marked.name || row.dataset.taskId !== marked.taskId) continue;
      row.classList.add('wb-pipelines-check-focused');
      if (focus) row.scrollIntoView({ block: 'center' });
    }
  }

  /** Brings a check into view (now, or when the run is drawn with it). */
  focus(name: string): void {
    this.toFocus = name;
    if (this.checks) this.render(this.checks);
  }
}
