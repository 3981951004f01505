/**
 * "Reject…": asks why (required; it is recorded in the document's history
 * and the audit log), then `POST api/documents/{id}/reject {reason}`. The
 * dialog closes only when the server took it; a refusal stays in the
 * dialog with the reason kept (@workbench/lab-common's submit dialog).
 *
 * DOM hooks: `.jp-Dialog .wb-review-reject-form` with `textarea.wb-review-reject-reason`
 * (`aria-invalid`), `.wb-review-field-error[data-field=reason]`, `.wb-review-form-error`;
 * accept `button.wb-review-reject-confirm`.
 */
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { showSubmitDialog } from '@workbench/lab-common/submit-dialog';
import { errorText } from './review-api';
import type { ReviewClient } from './review-client';
import type { DocumentView } from './types';

let nextId = 0;

class RejectBody extends Widget {
  rejected: DocumentView | null = null;
  private readonly reason: HTMLTextAreaElement;
  private readonly reasonError: HTMLElement;
  private readonly errorNode: HTMLElement;

  constructor(
    private readonly client: ReviewClient,
    private readonly doc: Pick<DocumentView, 'id' | 'filename'>,
  ) {
    super();
    const uid = `wb-review-reject-${++nextId}`;
    this.addClass('wb-themed');
    this.addClass('wb-review-dialog-body');
    this.reason = h('textarea', { className: 'jp-mod-styled wb-review-reject-reason', attrs: { id: `${uid}-reason`, rows: '3', maxlength: '1000', required: '', 'aria-describedby': `${uid}-reason-error` } });
    this.reasonError = h('span', { className: 'wb-review-field-error', attrs: { id: `${uid}-reason-error`, 'data-field': 'reason', role: 'alert' } });
    this.reason.addEventListener('input', () => {
      if (this.reason.value.trim() === '') return;
      this.reasonError.textContent = '';
      this.reason.setAttribute('aria-invalid', 'false');
    });
    this.errorNode = h('div', { className: 'wb-error-box wb-review-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.node.append(
      h('form', { className: 'wb-review-reject-form', attrs: { novalidate: '' } }, [
        h('p', { className: 'wb-dialog-text' }, [`${doc.filename} will not be posted to Odoo. Rejected documents stay in the list (All), with the reason.`]),
        h('div', { className: 'wb-field' }, [h('label', { className: 'wb-label', attrs: { for: this.reason.id } }, ['Reason (kept in the history and the audit log)']), this.reason, this.reasonError]),
        this.errorNode,
      ]),
    );
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    this.errorNode.hidden = true;
    const reason = this.reason.value.trim();
    this.reasonError.textContent = reason === '' ? 'Say why the document is rejected.' : '';
    this.reason.setAttribute('aria-invalid', String(reason === ''));
    if (reason === '') {
      this.reason.focus();
      return false;
    }
    try {
      this.rejected = await this.client.reject(this.doc.id, reason, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      this.errorNode.textContent = errorText(err, 'reject the document');
      this.errorNode.hidden = false;
      return false;
    }
  }
}

/** The dialog; resolves with the rejected document, or null when it was closed. */
export async function showRejectDialog(client: ReviewClient, doc: Pick<DocumentView, 'id' | 'filename'>): Promise<DocumentView | null> {
  const body = new RejectBody(client, doc);
  const ok = await showSubmitDialog({ className: 'wb-review-dialog', title: `Reject ${doc.filename}?`, body, acceptLabel: 'Reject', acceptClass: 'wb-review-reject-confirm', acceptKind: 'warn', focusNodeSelector: '.wb-review-reject-reason' });
  return ok ? body.rejected : null;
}
