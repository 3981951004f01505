/**
 * The one time a new API token is shown: a dialog with the token, a Copy
 * button and the warning that it will not be shown again. Nothing keeps
 * it: the dialog's DOM is disposed on close, and the list shows the prefix.
 *
 * DOM hooks: `.jp-Dialog .wb-admin-token-secret` (read-only input holding
 * the token), `.wb-admin-token-copy` (`data-copied="true"` once copied),
 * `.wb-admin-token-warning`, `.wb-admin-token-done` (closes).
 */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import type { CreatedApiToken } from './types';

class TokenSecretBody extends Widget {
  private readonly copyButton: HTMLButtonElement;
  private readonly secretInput: HTMLInputElement;

  constructor(private readonly secret: string, name: string) {
    super();
    this.addClass('wb-themed');
    this.addClass('wb-admin-token-dialog');
    this.secretInput = h('input', {
      className: 'jp-mod-styled wb-admin-token-secret',
      attrs: { type: 'text', readonly: '', spellcheck: 'false', autocomplete: 'off', 'aria-label': `API token ${name}` },
    });
    this.secretInput.value = secret;
    this.copyButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-admin-token-copy', attrs: { type: 'button' } }, ['Copy']);
    this.node.append(
      h('p', { className: 'wb-admin-token-warning', attrs: { role: 'alert' } }, [
        h('strong', {}, ['Copy this token now: it will not be shown again.']),
        ' Workbench keeps only a hash of it. If you lose it, revoke it and create another.',
      ]),
      h('div', { className: 'wb-admin-token-secret-row' }, [this.secretInput, this.copyButton]),
      h('p', { className: 'wb-admin-token-usage' }, ['Send it as the header ', h('code', {}, ['Authorization: token <TOKEN>']), '. It acts as you, with your roles.']),
    );
    this.copyButton.addEventListener('click', this.onCopy);
    this.secretInput.addEventListener('focus', this.onFocus);
  }

  private readonly onCopy = (): void => {
    Clipboard.copyToSystem(this.secret);
    this.copyButton.textContent = 'Copied';
    this.copyButton.dataset.copied = 'true';
    this.secretInput.select();
  };

  private readonly onFocus = (): void => {
    this.secretInput.select();
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.copyButton.removeEventListener('click', this.onCopy);
    this.secretInput.removeEventListener('focus', this.onFocus);
    this.secretInput.value = '';
    super.dispose();
  }
}

/** Shows the new token until the user closes the dialog. */
export async function showTokenDialog(created: CreatedApiToken): Promise<void> {
  await showDialog({
    title: `API token "${created.name}" created`,
    body: new TokenSecretBody(created.token, created.name),
    buttons: [Dialog.okButton({ label: 'Done', className: 'wb-admin-token-done' })],
    focusNodeSelector: '.wb-admin-token-copy',
    hasClose: false,
  });
}

/** Asks before revoking: scripts using the token stop working at once. */
export async function confirmRevoke(name: string): Promise<boolean> {
  const result = await showDialog({
    title: 'Revoke this API token?',
    body: new Widget({
      node: h('p', { className: 'wb-dialog-text wb-admin-dialog-text' }, [`Scripts and editors using "${name}" will be refused from now on. This cannot be undone.`]),
    }),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Revoke', className: 'wb-admin-token-revoke-confirm' })],
  });
  return result.button.accept;
}
