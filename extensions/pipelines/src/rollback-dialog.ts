/**
 * "Roll back…" on a succeeded run whose pipeline has a `rollback` task:
 * says what it does (the rollback task runs alone and puts back the
 * outputs of the run before this one, for the same period), asks for the
 * reason (required; it is audited), then `POST api/runs/{id}/rollback`.
 * A refusal (no earlier run to restore, the run not succeeded, no right
 * to) stays in the dialog with the reason typed.
 *
 * DOM hooks: `.jp-Dialog .wb-pipelines-rollback-form` with `textarea.wb-pipelines-rollback-reason`,
 * `.wb-pipelines-field-error[data-field=reason]`, `.wb-pipelines-form-error`; accept `button.wb-pipelines-rollback-confirm`.
 */
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { showSubmitDialog } from '@workbench/lab-common/submit-dialog';
import { errorText } from './pipelines-api';
import type { PipelinesClient } from './pipelines-client';
import type { Run, RunDetail } from './types';

export interface RollbackDialogOptions {
  client: PipelinesClient;
  run: Pick<RunDetail, 'id' | 'pipelineName' | 'period' | 'spec'>;
}

let nextId = 0;

class RollbackBody extends Widget {
  started: Run | null = null;
  private readonly options: RollbackDialogOptions;
  private readonly reason: HTMLTextAreaElement;
  private readonly reasonError: HTMLElement;
  private readonly errorNode: HTMLElement;

  constructor(options: RollbackDialogOptions) {
    super();
    this.options = options;
    const uid = `wb-pipelines-rollback-${++nextId}`;
    this.addClass('wb-themed');
    this.addClass('wb-pipelines-dialog-body');
    this.reason = h('textarea', { className: 'jp-mod-styled wb-pipelines-rollback-reason', attrs: { id: `${uid}-reason`, rows: '3', maxlength: '1000', required: '', 'aria-describedby': `${uid}-reason-error` } });
    this.reasonError = h('span', { className: 'wb-pipelines-field-error', attrs: { id: `${uid}-reason-error`, 'data-field': 'reason', role: 'alert' } });
    this.errorNode = h('div', { className: 'wb-error-box wb-pipelines-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    const task = options.run.spec.rollback;
    this.node.append(
      h('form', { className: 'wb-pipelines-form wb-pipelines-rollback-form', attrs: { novalidate: '' } }, [
        h('p', { className: 'wb-dialog-text' }, [
          'The rollback task ',
          task ? h('code', {}, [task.target.path]) : null,
          ` runs alone and puts back the outputs of the run before this one for ${options.run.period.label}.`,
        ]),
        h('div', { className: 'wb-field wb-pipelines-field', attrs: { 'data-field': 'reason' } }, [h('label', { className: 'wb-label', attrs: { for: this.reason.id } }, ['Reason (recorded in the audit log)']), this.reason, this.reasonError]),
        this.errorNode,
      ]),
    );
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    this.errorNode.hidden = true;
    const reason = this.reason.value.trim();
    this.reasonError.textContent = reason === '' ? 'Say why the run is rolled back.' : '';
    this.reason.setAttribute('aria-invalid', String(reason === ''));
    if (reason === '') {
      this.reason.focus();
      return false;
    }
    try {
      this.started = await this.options.client.rollback(this.options.run.id, reason, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      this.errorNode.textContent = errorText(err, 'roll back the run');
      this.errorNode.hidden = false;
      return false;
    }
  }
}

/** The dialog; resolves with the rollback run, or null when it was closed. */
export async function showRollbackDialog(options: RollbackDialogOptions): Promise<Run | null> {
  const body = new RollbackBody(options);
  const ok = await showSubmitDialog({ className: 'wb-pipelines-dialog', title: `Roll back this run of ${options.run.pipelineName}?`, body, acceptLabel: 'Roll back', acceptClass: 'wb-pipelines-rollback-confirm', focusNodeSelector: '.wb-pipelines-rollback-reason' });
  return ok ? body.started : null;
}
