/**
 * A table of runs (a pipeline's recent runs, the dashboard's lists): when
 * (created, relative with the absolute time in the title), the pipeline
 * (optionally), status, trigger and who, the period, how long it took; a
 * row opens its run (click, Enter or Space on the row's link). Scrolls
 * sideways in its own box when the main area is narrow.
 *
 * DOM hooks: `table.wb-pipelines-runs`, `tr.wb-pipelines-run[data-run-id][data-status]`,
 * `button.wb-pipelines-run-open`, `.wb-pipelines-run-when`, `-pipeline`, `-trigger`, `-period`, `-duration`.
 */
import { h } from '@workbench/lab-common';
import { elapsed, formatDuration, formatRelative, formatTime, triggerLabel } from './format';
import { statusBadge } from './status-badge';
import type { Run } from './types';

export interface RunsTableOptions {
  onOpenRun: (runId: string) => void;
  now: number;
  /** Show which pipeline each run is of (the dashboard). */
  showPipeline?: boolean;
  /** A cell after the status (the dashboard's progress bars), by run. */
  extra?: { header: string; cell: (run: Run) => Node | string };
  /** Accessible name of the table. */
  label: string;
}

export function runsTable(runs: readonly Run[], options: RunsTableOptions): HTMLElement {
  const head = h('tr', {}, [
    h('th', { attrs: { scope: 'col' } }, ['Run']),
    options.showPipeline ? h('th', { attrs: { scope: 'col' } }, ['Pipeline']) : null,
    h('th', { attrs: { scope: 'col' } }, ['Status']),
    options.extra ? h('th', { attrs: { scope: 'col' } }, [options.extra.header]) : null,
    h('th', { attrs: { scope: 'col' } }, ['Trigger']),
    h('th', { attrs: { scope: 'col' } }, ['Period']),
    h('th', { attrs: { scope: 'col' } }, ['Duration']),
  ]);
  const rows = runs.map((run) => {
    const open = h('button', { className: 'wb-pipelines-link wb-pipelines-run-open', title: formatTime(run.createdAt), attrs: { type: 'button', 'aria-label': `Open the run of ${run.pipelineName} of ${formatTime(run.createdAt)}` } }, [
      formatRelative(run.createdAt, options.now),
    ]);
    open.addEventListener('click', () => options.onOpenRun(run.id));
    const took = elapsed(run.startedAt, run.finishedAt, options.now);
    return h('tr', { className: 'wb-pipelines-run', attrs: { 'data-run-id': run.id, 'data-status': run.status } }, [
      h('td', { className: 'wb-pipelines-run-when' }, [open]),
      options.showPipeline ? h('td', { className: 'wb-pipelines-run-pipeline', title: run.pipelinePath }, [run.pipelineName]) : null,
      h('td', {}, [statusBadge(run.status)]),
      options.extra ? h('td', { className: 'wb-pipelines-run-extra' }, [options.extra.cell(run)]) : null,
      h('td', { className: 'wb-pipelines-run-trigger' }, [triggerLabel(run.trigger), run.triggeredBy ? h('span', { className: 'wb-pipelines-muted' }, [` · ${run.triggeredBy}`]) : null]),
      h('td', { className: 'wb-pipelines-run-period' }, [run.period.label]),
      h('td', { className: 'wb-pipelines-run-duration' }, [took === null ? '—' : formatDuration(took)]),
    ]);
  });
  return h('div', { className: 'wb-pipelines-table-wrap' }, [h('table', { className: 'wb-pipelines-table wb-pipelines-runs', attrs: { 'aria-label': options.label } }, [h('thead', {}, [head]), h('tbody', {}, rows)])]);
}
