/**
 * Rotating a connection's password without downtime, in a dialog: the new
 * password is staged (stored as the next version) and tested while the one
 * in use keeps serving; then Activate switches to it (the server tests it
 * again and answers 409 when it fails, the old one staying in use) or
 * Cancel rotation drops it. The password input is cleared as soon as it is
 * sent. Every change is reported through `onChanged` so the list follows.
 * Also the confirmation before deleting a connection.
 *
 * DOM hooks: `.jp-Dialog .wb-connections-rotate[data-state=idle|staging|staged|activating|activated|cancelling|cancelled]`,
 * `input.wb-connections-rotate-password`, `button.wb-connections-rotate-stage`,
 * `.wb-connections-rotate-result` (a TestResultView), `.wb-connections-rotate-error`
 * (a refused activation: the server's message), `button.wb-connections-rotate-activate`,
 * `button.wb-connections-rotate-cancel`, `.wb-connections-rotate-versions`,
 * `.wb-connections-rotate-done`, the dialog's `button.wb-connections-rotate-close`;
 * `.jp-Dialog button.wb-connections-delete-confirm`.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { errorText } from './connections-api';
import type { ConnectionsClient } from './connections-client';
import { credentialLabel } from './format';
import { TestResultView } from './test-result-view';
import type { ConnectionModel } from './types';

export type RotateState = 'idle' | 'staging' | 'staged' | 'activating' | 'activated' | 'cancelling' | 'cancelled';

export interface RotateOptions {
  client: ConnectionsClient;
  connection: ConnectionModel;
  /** The connection as the server answered after each step. */
  onChanged: (connection: ConnectionModel) => void;
}

export class RotateBody extends Widget {
  private readonly options: RotateOptions;
  private connection: ConnectionModel;
  private readonly form: HTMLFormElement;
  private readonly password: HTMLInputElement;
  private readonly stageButton: HTMLButtonElement;
  private readonly activateButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly versions: HTMLElement;
  private readonly errorNode: HTMLElement;
  private readonly doneNode: HTMLElement;
  private readonly result = new TestResultView('wb-connections-rotate-result');
  private readonly abort = new AbortController();

  constructor(options: RotateOptions) {
    super();
    this.options = options;
    this.connection = options.connection;
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-connections-rotate');
    this.password = h('input', {
      className: 'jp-mod-styled wb-input wb-connections-input wb-connections-rotate-password',
      attrs: { type: 'password', name: 'password', autocomplete: 'new-password', maxlength: '1024', 'aria-label': 'New password', required: '' },
    });
    this.stageButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-rotate-stage', attrs: { type: 'submit' } }, ['Stage and test']);
    this.form = h('form', { className: 'wb-connections-rotate-form', attrs: { novalidate: '' } }, [
      h('label', { className: 'wb-field wb-connections-field' }, [h('span', { className: 'wb-label wb-connections-label' }, ['New password']), h('span', { className: 'wb-connections-inline' }, [this.password, this.stageButton])]),
    ]);
    this.activateButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-rotate-activate', attrs: { type: 'button' } }, ['Activate']);
    this.cancelButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-warn wb-connections-rotate-cancel', attrs: { type: 'button' } }, ['Cancel rotation']);
    this.versions = h('p', { className: 'wb-connections-rotate-versions' });
    this.errorNode = h('div', { className: 'wb-error-box wb-connections-rotate-error', attrs: { role: 'alert' } });
    this.doneNode = h('p', { className: 'wb-connections-rotate-done', attrs: { role: 'status' } });
    this.node.append(
      h('p', { className: 'wb-dialog-text wb-connections-dialog-text' }, [
        'The new password is stored as the next version and tested; the one in use keeps serving until you activate the new one. ',
        'Activate tests it again and switches only if it passes.',
      ]),
      this.versions,
      this.form,
      this.result.node,
      this.errorNode,
      h('div', { className: 'wb-connections-rotate-actions' }, [this.cancelButton, this.activateButton]),
      this.doneNode,
    );
    this.form.addEventListener('submit', this.onStage);
    this.activateButton.addEventListener('click', this.onActivate);
    this.cancelButton.addEventListener('click', this.onCancel);
    this.render(this.connection.credential.pending_version === null ? 'idle' : 'staged');
  }

  get state(): RotateState {
    return this.node.dataset.state as RotateState;
  }

  private render(state: RotateState, error: string | null = null, done: string | null = null): void {
    this.node.dataset.state = state;
    const c = this.connection.credential;
    this.versions.textContent = `In use: ${credentialLabel(c)}${c.pending_version === null ? '' : ` · staged: v${c.pending_version}`}`;
    const busy = state === 'staging' || state === 'activating' || state === 'cancelling';
    this.password.disabled = busy;
    this.stageButton.disabled = busy;
    this.form.hidden = state === 'activated';
    const staged = c.pending_version !== null && state !== 'activated';
    this.activateButton.hidden = !staged;
    this.cancelButton.hidden = !staged;
    this.activateButton.disabled = busy;
    this.cancelButton.disabled = busy;
    if (staged) this.activateButton.textContent = `Activate v${c.pending_version}`;
    this.errorNode.textContent = error ?? '';
    this.errorNode.hidden = error === null;
    this.doneNode.textContent = done ?? '';
    this.doneNode.hidden = done === null;
  }

  private changed(connection: ConnectionModel): void {
    this.connection = connection;
    this.options.onChanged(connection);
  }

  /** Stages the typed password and tests it. */
  async stage(): Promise<void> {
    const password = this.password.value;
    if (password === '') {
      this.render(this.state, 'Type the new password.');
      this.password.focus();
      return;
    }
    // Sent once; the widget keeps no copy.
    this.password.value = '';
    this.render('staging');
    this.result.testing('Staging and testing…');
    try {
      const staged = await this.options.client.stageRotation(this.connection.name, { password }, { signal: this.abort.signal });
      this.changed(staged.connection);
      this.result.show(staged.test);
      this.render('staged', staged.test.ok ? null : 'The staged password fails its test: Activate will refuse it. Stage another, or cancel.');
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.result.clear();
      this.render(this.connection.credential.pending_version === null ? 'idle' : 'staged', errorText(err, 'stage the new password'));
    }
  }

  async activateStaged(): Promise<void> {
    this.render('activating');
    this.result.testing('Testing and switching…');
    try {
      const done = await this.options.client.activateRotation(this.connection.name, { signal: this.abort.signal });
      this.changed(done.connection);
      this.result.show(done.test);
      this.render('activated', null, `Version ${done.version} is in use${done.previous_version === null ? '' : `; version ${done.previous_version} was deleted`}.`);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.result.clear();
      // 409: it failed its test (or changed meanwhile); the credential in use stays.
      this.render('staged', errorText(err, 'activate the new password'));
    }
  }

  async cancelRotation(): Promise<void> {
    this.render('cancelling');
    try {
      this.changed(await this.options.client.cancelRotation(this.connection.name, { signal: this.abort.signal }));
      this.result.clear();
      this.render('cancelled', null, 'The staged password was dropped; the one in use stays.');
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.render('staged', errorText(err, 'cancel the rotation'));
    }
  }

  private readonly onStage = (event: Event): void => {
    event.preventDefault();
    void this.stage();
  };
  private readonly onActivate = (): void => void this.activateStaged();
  private readonly onCancel = (): void => void this.cancelRotation();

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort.abort();
    this.password.value = '';
    this.form.removeEventListener('submit', this.onStage);
    this.activateButton.removeEventListener('click', this.onActivate);
    this.cancelButton.removeEventListener('click', this.onCancel);
    super.dispose();
  }
}

/** The rotate dialog; resolves when it is closed. */
export async function showRotateDialog(options: RotateOptions): Promise<void> {
  await showDialog({
    title: `Rotate the password of ${options.connection.name}`,
    body: new RotateBody(options),
    buttons: [Dialog.cancelButton({ label: 'Close', className: 'wb-connections-rotate-close' })],
    // Enter in the password field stages it (the form's submit), it does not close the dialog.
    defaultButton: -1,
    focusNodeSelector: '.wb-connections-rotate-password',
    hasClose: true,
  });
}

/** Asks before deleting: notebooks and pipelines using it stop working. */
export async function confirmDelete(name: string): Promise<boolean> {
  const result = await showDialog({
    title: `Delete connection ${name}?`,
    body: new Widget({
      node: h('p', { className: 'wb-dialog-text wb-connections-dialog-text' }, [`Notebooks and pipelines using @${name} will fail. Its stored password is deleted too. This cannot be undone.`]),
    }),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete', className: 'wb-connections-delete-confirm' })],
  });
  return result.button.accept;
}
