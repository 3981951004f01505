/**
 * A run's tasks as a table: each task (a button that shows its log), its
 * status and error, attempt n/max (each attempt's wait and error when
 * there were several), progress (cells done/total), duration and output
 * notebook (or child run). The row of the task whose log is shown is
 * selected.
 *
 * DOM hooks: `tr.wb-pipelines-task[data-task-id][data-status][aria-selected]`, `button.wb-pipelines-task-select`,
 * `.wb-pipelines-task-error`, `.wb-pipelines-task-attempt`, `li.wb-pipelines-attempt[data-attempt][data-status]`,
 * `.wb-pipelines-progress`, `.wb-pipelines-task-duration`, `button.wb-pipelines-output[data-path]`, `button.wb-pipelines-child-run[data-run-id]`.
 */
import { h } from '@workbench/lab-common';
import { baseName, elapsed, formatDuration } from './format';
import { progressBar, statusBadge } from './status-badge';
import type { RunDetail } from './types';

export function tasksTable(run: RunDetail, selected: string | null, now: number): HTMLElement {
  const head = h('tr', {}, ['Task', 'Status', 'Attempt', 'Progress', 'Duration', 'Output'].map((t) => h('th', { attrs: { scope: 'col' } }, [t])));
  const rows = run.tasks.map((t) => {
    const took = elapsed(t.startedAt, t.finishedAt, now);
    // Each attempt (its wait and error) when there was more than one.
    const attempts = t.attempts.length > 1 ? t.attempts : [];
    const pick = h('button', { className: 'wb-pipelines-link wb-pipelines-task-select', title: `Show the log of ${t.taskId}`, attrs: { type: 'button', 'data-task-id': t.taskId, 'data-focus-key': `task:${t.taskId}` } }, [t.taskId]);
    const output = t.outputPath
      ? h('button', { className: 'wb-pipelines-link wb-pipelines-output', title: `Open ${t.outputPath}`, attrs: { type: 'button', 'data-path': t.outputPath, 'data-focus-key': `output:${t.taskId}` } }, [baseName(t.outputPath)])
      : t.childRunId
        ? h('button', { className: 'wb-pipelines-link wb-pipelines-child-run', attrs: { type: 'button', 'data-run-id': t.childRunId } }, ['Child run'])
        : h('span', { className: 'wb-pipelines-muted' }, ['—']);
    return h('tr', { className: 'wb-pipelines-task', attrs: { 'data-task-id': t.taskId, 'data-status': t.status, 'aria-selected': String(t.taskId === selected) } }, [
      h('th', { attrs: { scope: 'row' } }, [pick]),
      h('td', {}, [statusBadge(t.status), t.error ? h('div', { className: 'wb-pipelines-task-error' }, [t.error]) : null]),
      h('td', { className: 'wb-pipelines-task-attempt' }, [
        h('span', { title: `Attempt ${t.attempt} of at most ${t.maxAttempts}` }, [`${t.attempt}/${t.maxAttempts}`]),
        attempts.length > 0
          ? h(
              'ul',
              { className: 'wb-pipelines-attempts' },
              attempts.map((a) =>
                h('li', { className: 'wb-pipelines-attempt', attrs: { 'data-attempt': String(a.attempt), 'data-status': a.status } }, [
                  `#${a.attempt} ${a.status.replace('_', ' ')}`,
                  a.delayMs > 0 ? ` after waiting ${formatDuration(a.delayMs)}` : '',
                  a.error ? h('span', { className: 'wb-pipelines-attempt-error' }, [`: ${a.error}`]) : null,
                ]),
              ),
            )
          : null,
      ]),
      h('td', { className: 'wb-pipelines-task-progress' }, [
        t.progress.total > 0 ? progressBar(t.progress.done / t.progress.total, `${t.progress.done}/${t.progress.total}`, `${t.taskId}: ${t.progress.done} of ${t.progress.total} cells`) : h('span', { className: 'wb-pipelines-muted' }, ['—']),
      ]),
      h('td', { className: 'wb-pipelines-task-duration' }, [took === null ? '—' : formatDuration(took)]),
      h('td', {}, [output]),
    ]);
  });
  return h('div', { className: 'wb-pipelines-table-wrap' }, [h('table', { className: 'wb-pipelines-table wb-pipelines-tasks', attrs: { 'aria-label': 'Tasks of this run' } }, [h('thead', {}, [head]), h('tbody', {}, rows)])]);
}
