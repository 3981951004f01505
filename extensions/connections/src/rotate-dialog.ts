/**
 * Rotating a connection's credential without downtime, in a dialog: the
 * new one (what the kind and its login take: a PostgreSQL password; the
 * REST token, password, API key or client secret; an S3 access key id and
 * secret; an SFTP password or private key; a Superset password; an Odoo
 * API key or password) is staged (stored as the next version) and tested
 * while the one in use keeps serving; then Activate
 * switches to it (the server tests it again and answers 409 when it fails,
 * the old one staying in use: its message and the failed test are shown)
 * or Cancel rotation drops it. The inputs are emptied as soon as the
 * credential is sent. Every change is reported through `onChanged` so the
 * list follows. Also the confirmation before deleting a connection.
 *
 * DOM hooks: `.jp-Dialog .wb-connections-rotate[data-kind][data-state=idle|staging|staged|activating|activated|cancelling|cancelled]`,
 * the credential's inputs `.wb-connections-rotate-<field>` (postgres:
 * `input.wb-connections-rotate-password`), `button.wb-connections-rotate-stage`,
 * `.wb-connections-rotate-result` (a TestResultView: the staged test, or
 * the one that made the server refuse), `.wb-connections-rotate-error`
 * (a refused activation: the server's message), `button.wb-connections-rotate-activate`,
 * `button.wb-connections-rotate-cancel`, `.wb-connections-rotate-versions`,
 * `.wb-connections-rotate-done`, the dialog's `button.wb-connections-rotate-close`;
 * `.jp-Dialog button.wb-connections-delete-confirm`.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { ConnectionsError, errorText } from './connections-api';
import type { ConnectionsClient } from './connections-client';
import { FieldSet } from './field-set';
import { credentialLabel, credentialNoun } from './format';
import { formValues, hiddenFields, SECRET_FIELDS } from './form-values';
import { SFTP_LOGIN_CHOICES } from './kind-fields';
import { readCredential, REST_SECRET } from './read-form';
import { TestResultView } from './test-result-view';
import type { ConnectionModel } from './types';

export type RotateState = 'idle' | 'staging' | 'staged' | 'activating' | 'activated' | 'cancelling' | 'cancelled';

export interface RotateOptions {
  client: ConnectionsClient;
  connection: ConnectionModel;
  /** The connection as the server answered after each step. */
  onChanged: (connection: ConnectionModel) => void;
}

/** What the connection's credential is called, lowercase in a sentence ("password", "API key", "access key"). */
export function credentialWord(connection: ConnectionModel): string {
  return (credentialNoun(connection) ?? 'credential').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

/**
 * The credential's fields for `connection` in `b`, and whether they are one
 * input (shown with the Stage button beside it) rather than several.
 */
function credentialFields(b: FieldSet, connection: ConnectionModel): { fields: HTMLElement[]; single: boolean } {
  const secret = (field: 'password' | 'token' | 'api_key' | 'client_secret', label: string, max: number) => b.input(field, label, '', { maxlength: String(max), 'aria-label': label, required: '' });
  switch (connection.kind) {
    case 'postgres':
      return { fields: [secret('password', 'New password', 1024)], single: true };
    case 'rest': {
      const type = connection.settings.auth.type;
      if (type === 'none') return { fields: [], single: false };
      const { field, label } = REST_SECRET[type];
      return { fields: [secret(field, `New ${label}`, 16384)], single: true };
    }
    case 's3':
      return {
        fields: [b.input('access_key_id', 'New access key ID', '', { maxlength: '256' }), b.input('secret_access_key', 'Its secret access key', '', { maxlength: '1024' })],
        single: false,
      };
    case 'sftp':
      return {
        fields: [
          b.select('login', 'Log in with', SFTP_LOGIN_CHOICES, 'password'),
          b.input('password', 'New password', '', { maxlength: '1024' }),
          b.textarea('private_key', 'New private key', '', { rows: '4', placeholder: '-----BEGIN OPENSSH PRIVATE KEY-----' }, 'OpenSSH or PEM.'),
          b.input('passphrase', 'Passphrase', '', { maxlength: '1024' }, 'Only for an encrypted key.'),
        ],
        single: false,
      };
    case 'superset':
      return { fields: [secret('password', 'New password', 16384)], single: true };
    case 'odoo':
      return { fields: [secret('api_key', 'New API key or password', 1024)], single: true };
    case 'duckdb':
      return { fields: [], single: false };
  }
}

export class RotateBody extends Widget {
  private readonly options: RotateOptions;
  private connection: ConnectionModel;
  private readonly word: string;
  private readonly form: HTMLFormElement;
  private readonly fields: FieldSet;
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
    this.word = credentialWord(this.connection);
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-connections-rotate');
    this.node.dataset.kind = this.connection.kind;
    this.fields = new FieldSet({ uid: `wb-connections-rotate-${Math.random().toString(36).slice(2, 8)}`, inputClass: 'wb-connections-rotate', secret: SECRET_FIELDS });
    this.stageButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-rotate-stage', attrs: { type: 'submit' } }, ['Stage and test']);
    const { fields, single } = credentialFields(this.fields, this.connection);
    if (single) {
      // One input: the Stage button beside it.
      const control = this.fields.control(this.fields.fields[0]!)!;
      const inline = h('span', { className: 'wb-connections-inline' });
      control.replaceWith(inline);
      inline.append(control, this.stageButton);
    }
    this.fields.control(this.fields.fields[0] ?? 'password')?.classList.add('wb-connections-rotate-focus');
    this.form = h('form', { className: 'wb-connections-rotate-form', attrs: { novalidate: '' } }, [
      ...fields,
      single ? null : h('div', { className: 'wb-connections-rotate-stage-line' }, [this.stageButton]),
    ]);
    this.activateButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-rotate-activate', attrs: { type: 'button' } }, ['Activate']);
    this.cancelButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-warn wb-connections-rotate-cancel', attrs: { type: 'button' } }, ['Cancel rotation']);
    this.versions = h('p', { className: 'wb-connections-rotate-versions' });
    this.errorNode = h('div', { className: 'wb-error-box wb-connections-rotate-error', attrs: { role: 'alert' } });
    this.doneNode = h('p', { className: 'wb-connections-rotate-done', attrs: { role: 'status' } });
    this.node.append(
      h('p', { className: 'wb-dialog-text wb-connections-dialog-text' }, [
        `The new ${this.word} is stored as the next version and tested; the one in use keeps serving until you activate the new one. `,
        'Activate tests it again and switches only if it passes.',
      ]),
      this.versions,
      this.form,
      this.result.node,
      this.errorNode,
      h('div', { className: 'wb-connections-rotate-actions' }, [this.cancelButton, this.activateButton]),
      this.doneNode,
    );
    this.applyChoices();
    this.form.addEventListener('submit', this.onStage);
    this.form.addEventListener('change', this.onChoice);
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
    this.versions.textContent = `In use: ${credentialLabel(this.connection) ?? 'nothing'}${c.pending_version === null ? '' : ` · staged: v${c.pending_version}`}`;
    const busy = state === 'staging' || state === 'activating' || state === 'cancelling';
    this.fields.setDisabled(busy);
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

  /** SFTP: the password or the private key, by the login chosen (the saved settings make the other choices). */
  private applyChoices(): void {
    this.fields.setHidden(hiddenFields(this.connection.kind, { ...formValues(this.connection.kind, this.connection), ...this.fields.values() }));
  }

  /** Stages the typed credential and tests it. */
  async stage(): Promise<void> {
    const reading = readCredential(this.connection, this.fields.values());
    const first = this.fields.showProblems(reading.ok ? [] : reading.problems, false);
    if (!reading.ok) {
      this.render(this.state, reading.problems[0]!.message);
      first?.focus();
      return;
    }
    // Sent once; the widget keeps no copy.
    this.fields.clearTyped();
    this.render('staging');
    this.result.testing('Staging and testing…');
    try {
      const staged = await this.options.client.stageRotation(this.connection.name, reading.credential, { signal: this.abort.signal });
      this.changed(staged.connection);
      this.result.show(staged.test);
      this.render('staged', staged.test.ok ? null : `The staged ${this.word} fails its test: Activate will refuse it. Stage another, or cancel.`);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.result.clear();
      this.render(this.connection.credential.pending_version === null ? 'idle' : 'staged', errorText(err, `stage the new ${this.word}`));
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
      // 409: it failed its test (shown) or changed meanwhile; the credential in use stays.
      if (err instanceof ConnectionsError && err.test) this.result.show(err.test);
      else this.result.clear();
      this.render('staged', errorText(err, `activate the new ${this.word}`));
    }
  }

  async cancelRotation(): Promise<void> {
    this.render('cancelling');
    try {
      this.changed(await this.options.client.cancelRotation(this.connection.name, { signal: this.abort.signal }));
      this.result.clear();
      this.render('cancelled', null, `The staged ${this.word} was dropped; the one in use stays.`);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.render('staged', errorText(err, 'cancel the rotation'));
    }
  }

  private readonly onStage = (event: Event): void => {
    event.preventDefault();
    void this.stage();
  };
  private readonly onChoice = (): void => this.applyChoices();
  private readonly onActivate = (): void => void this.activateStaged();
  private readonly onCancel = (): void => void this.cancelRotation();

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort.abort();
    this.fields.clearTyped();
    this.form.removeEventListener('submit', this.onStage);
    this.form.removeEventListener('change', this.onChoice);
    this.activateButton.removeEventListener('click', this.onActivate);
    this.cancelButton.removeEventListener('click', this.onCancel);
    super.dispose();
  }
}

/** The rotate dialog; resolves when it is closed. */
export async function showRotateDialog(options: RotateOptions): Promise<void> {
  await showDialog({
    title: `Rotate the ${credentialWord(options.connection)} of ${options.connection.name}`,
    body: new RotateBody(options),
    buttons: [Dialog.cancelButton({ label: 'Close', className: 'wb-connections-rotate-close' })],
    // Enter in the credential's field stages it (the form's submit), it does not close the dialog.
    defaultButton: -1,
    focusNodeSelector: '.wb-connections-rotate-focus',
    hasClose: true,
  });
}

/** Asks before deleting: notebooks and pipelines using it stop working. */
export async function confirmDelete(name: string): Promise<boolean> {
  const result = await showDialog({
    title: `Delete connection ${name}?`,
    body: new Widget({
      node: h('p', { className: 'wb-dialog-text wb-connections-dialog-text' }, [`Notebooks and pipelines using @${name} will fail. Its stored credential, if any, is deleted too. This cannot be undone.`]),
    }),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete', className: 'wb-connections-delete-confirm' })],
  });
  return result.button.accept;
}
