/**
 * The questions before Cancel and Repair. Repair names the tasks that run
 * again (repair-plan.ts) and those kept as they are.
 *
 * DOM hooks: `.jp-Dialog button.wb-pipelines-cancel-confirm`, `.jp-Dialog .wb-pipelines-repair-tasks li[data-task-id]`,
 * `.jp-Dialog button.wb-pipelines-repair-confirm`.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { plural, statusLabel } from './format';
import type { RunDetail } from './types';

export async function confirmCancel(run: Pick<RunDetail, 'pipelineName'>): Promise<boolean> {
  const answer = await showDialog({
    title: `Cancel this run of ${run.pipelineName}?`,
    body: new Widget({ node: h('p', { className: 'wb-dialog-text' }, ['Tasks waiting to run are cancelled; running ones are stopped and their kernels shut down. Repair can run them again later.']) }),
    buttons: [Dialog.cancelButton({ label: 'Keep running' }), Dialog.warnButton({ label: 'Cancel run', className: 'wb-pipelines-cancel-confirm' })],
  });
  return answer.button.accept;
}

/** @param redo the tasks the repair reruns, in the file's order */
export async function confirmRepair(run: Pick<RunDetail, 'pipelineName' | 'tasks'>, redo: readonly string[]): Promise<boolean> {
  const keep = run.tasks.map((t) => t.taskId).filter((id) => !redo.includes(id));
  const answer = await showDialog({
    title: `Repair this run of ${run.pipelineName}?`,
    body: new Widget({
      node: h('div', { className: 'wb-pipelines-repair-body' }, [
        h('p', { className: 'wb-dialog-text' }, [`${plural(redo.length, 'task')} will run again (those that did not succeed, and everything downstream of them):`]),
        h(
          'ul',
          { className: 'wb-pipelines-repair-tasks' },
          redo.map((id) => h('li', { attrs: { 'data-task-id': id } }, [id, h('span', { className: 'wb-pipelines-muted' }, [` (${statusLabel(run.tasks.find((t) => t.taskId === id)?.status ?? 'pending').toLowerCase()})`])])),
        ),
        keep.length > 0 ? h('p', { className: 'wb-dialog-text' }, [`Kept as they are: ${keep.join(', ')}.`]) : null,
      ]),
    }),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Repair', className: 'wb-pipelines-repair-confirm' })],
  });
  return answer.button.accept;
}
