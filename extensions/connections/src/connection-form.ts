/**
 * The add/edit form: a connection of any kind (PostgreSQL, DuckDB file,
 * REST API, S3 bucket, SFTP server, Superset, Odoo; chosen when adding, fixed
 * when editing) with the server's defaults filled in, checked field by field
 * before anything is sent (the server's own 400 message is shown under the
 * form when it still refuses), "Test" to try the settings before saving
 * them, Save and Cancel. Choosing another kind swaps the kind's fields
 * (what was typed for a kind comes back when it is chosen again, its
 * credential aside). The name is fixed once the connection exists. The
 * credential's fields are never filled in, live only in their inputs, and
 * are emptied when the form closes or they are hidden; editing never
 * changes the credential (that is a rotation): there they are only used
 * for "Test". A test that shows an SFTP server's host key offers to pin
 * it.
 *
 * DOM hooks: `form.wb-connections-form[data-mode=create|edit][data-kind]`
 * (`data-busy` = `testing` or `saving` while a request runs),
 * `[data-field=<field>]` on each `label.wb-connections-field` with its
 * control `.wb-connections-input-<field>` (`aria-invalid`; the kind's
 * select is `.wb-connections-input-kind`),
 * `.wb-connections-field-error[data-field]`, `.wb-connections-form-error`
 * (the server's message), `.wb-connections-auth-note` (REST: the login
 * changed on edit), `button.wb-connections-form-test`, `-save`, `-cancel`,
 * and the draft's `.wb-connections-form-result` (a TestResultView, with
 * `button.wb-connections-pin`).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './connections-api';
import type { ConnectionsClient } from './connections-client';
import { FieldSet } from './field-set';
import { KIND_CHOICES, kindLabel } from './format';
import { connectionPatch, credentialFieldsOf, formValues, hiddenFields, SECRET_FIELDS, type FormField, type FormValues } from './form-values';
import { kindFields } from './kind-fields';
import { readForm, type FormReading } from './read-form';
import { TestResultView } from './test-result-view';
import type { ConnectionKind, ConnectionModel, TestResult } from './types';

export interface ConnectionFormOptions {
  client: ConnectionsClient;
  /** The connection edited; absent: a new one. */
  connection?: ConnectionModel;
  /** The kind a new connection starts as (default postgres). */
  kind?: ConnectionKind;
  /** Called once: the saved connection, or null when cancelled. */
  onClose: (saved: ConnectionModel | null) => void;
}

export class ConnectionForm {
  readonly node: HTMLFormElement;
  private readonly options: ConnectionFormOptions;
  private readonly uid = `wb-connections-form-${Math.random().toString(36).slice(2, 8)}`;
  private readonly common: FieldSet;
  private section: FieldSet;
  private readonly sectionNode: HTMLElement;
  private readonly authNote: HTMLElement;
  private readonly formError: HTMLElement;
  private readonly result = new TestResultView('wb-connections-form-result');
  private readonly buttons: HTMLButtonElement[];
  /** What was typed for each kind left, its credential aside. */
  private readonly typed = new Map<ConnectionKind, FormValues>();
  private _kind: ConnectionKind;
  private abort: AbortController | null = null;
  private closed = false;

  constructor(options: ConnectionFormOptions) {
    this.options = options;
    const saved = options.connection;
    const editing = saved !== undefined;
    this._kind = saved?.kind ?? options.kind ?? 'postgres';
    const values = formValues(this._kind, saved);
    this.common = this.fieldSet();
    this.section = this.fieldSet();

    const kindField = this.common.select('kind', 'Kind', KIND_CHOICES, this._kind, editing ? 'The kind cannot change.' : undefined);
    if (editing) (this.common.control('kind') as HTMLSelectElement).disabled = true;
    const nameField = this.common.input('name', 'Name', values.name ?? '', { maxlength: '63', placeholder: 'e.g. odoo', required: '' }, editing ? 'The name cannot change.' : 'Lowercase letters, digits, _ or -.');
    if (editing) (this.common.control('name') as HTMLInputElement).readOnly = true;
    const descriptionField = this.common.input('description', 'Description', values.description ?? '', { maxlength: '2000', placeholder: 'What it is for' });

    this.sectionNode = h('div', { className: 'wb-connections-kind-fields' });
    this.authNote = h('p', { className: 'wb-connections-note wb-connections-auth-note', attrs: { role: 'status' } }, ['The login changed: after saving, Rotate to store the credential it takes.']);
    this.formError = h('div', { className: 'wb-error-box wb-connections-form-error', attrs: { role: 'alert' } });
    this.formError.hidden = true;
    const testButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-connections-form-test', attrs: { type: 'button' } }, ['Test']);
    const saveButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-form-save', attrs: { type: 'submit' } }, [editing ? 'Save' : 'Add']);
    const cancelButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-connections-form-cancel', attrs: { type: 'button' } }, ['Cancel']);
    this.buttons = [testButton, saveButton, cancelButton];

    this.node = h('form', { className: 'wb-form wb-connections-form', attrs: { 'data-mode': editing ? 'edit' : 'create', novalidate: '', 'aria-label': editing ? `Edit connection ${saved.name}` : 'Add a connection' } }, [
      h('h3', { className: 'wb-connections-form-title' }, [editing ? `Edit ${saved.name} (${kindLabel(saved.kind)})` : 'Add a connection']),
      kindField,
      nameField,
      descriptionField,
      this.sectionNode,
      this.formError,
      this.result.node,
      h('div', { className: 'wb-connections-form-buttons' }, [testButton, h('span', { className: 'wb-connections-spacer' }), cancelButton, saveButton]),
    ]);
    this.showKind(values);

    this.node.addEventListener('submit', this.onSubmit);
    this.node.addEventListener('input', this.onInput);
    this.node.addEventListener('change', this.onChange);
    testButton.addEventListener('click', this.onTest);
    cancelButton.addEventListener('click', this.onCancel);
  }

  /** The kind being added or edited. */
  get kind(): ConnectionKind {
    return this._kind;
  }

  private fieldSet(): FieldSet {
    return new FieldSet({ uid: this.uid, inputClass: 'wb-connections-input', secret: SECRET_FIELDS });
  }

  /** Focus the first field that can be typed in. */
  focus(): void {
    (this.options.connection ? this.common.control('description') : this.common.control('name'))?.focus();
  }

  /** Swaps in the fields of the kind now chosen, with `values`. */
  private showKind(values: FormValues): void {
    this.node.dataset.kind = this._kind;
    this.section = this.fieldSet();
    const editing = this.options.connection !== undefined;
    replaceChildren(this.sectionNode, kindFields(this._kind, this.section, values, editing));
    if (this._kind === 'rest' && editing) this.section.control('auth_type')?.closest('label')?.after(this.authNote);
    this.applyChoices();
  }

  /** Hides what the choices made (TLS mode, login) leave irrelevant. */
  private applyChoices(): void {
    this.section.setHidden(hiddenFields(this._kind, this.values()));
    const saved = this.options.connection;
    this.authNote.hidden = !(saved?.kind === 'rest' && this.values().auth_type !== saved.settings.auth.type && this.values().auth_type !== 'none');
  }

  private setKind(kind: ConnectionKind): void {
    if (kind === this._kind || this.options.connection) return;
    const left = this.section.values();
    for (const f of credentialFieldsOf(this._kind)) delete left[f];
    this.typed.set(this._kind, left);
    this.section.clearSecrets();
    this._kind = kind;
    this.showKind({ ...formValues(kind), ...this.typed.get(kind) });
    this.result.clear();
    this.showFormError(null);
  }

  private values(): FormValues {
    return { ...this.common.values(), ...this.section.values() };
  }

  private showFormError(message: string | null): void {
    this.formError.textContent = message ?? '';
    this.formError.hidden = message === null;
  }

  private busy(what: 'testing' | 'saving' | null): void {
    if (what) this.node.dataset.busy = what;
    else delete this.node.dataset.busy;
    for (const b of this.buttons) b.disabled = what !== null && !b.classList.contains('wb-connections-form-cancel');
  }

  private read(): Extract<FormReading, { ok: true }> | null {
    const reading = readForm(this._kind, this.values());
    const problems = reading.ok ? [] : reading.problems;
    const inCommon = this.common.showProblems(problems);
    const inSection = this.section.showProblems(problems);
    const first = inCommon ?? inSection;
    if (!reading.ok) {
      this.showFormError(null);
      first?.focus();
      return null;
    }
    return reading;
  }

  /** Tests the form's settings (and credential, if typed) without saving them. */
  async test(): Promise<void> {
    const reading = this.read();
    if (!reading) return;
    this.showFormError(null);
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.busy('testing');
    this.result.testing();
    try {
      const result = await this.options.client.testDraft({ ...reading.draft, ...(reading.credential !== undefined && { credential: reading.credential }) }, { signal: abort.signal });
      if (!abort.signal.aborted) this.showResult(result);
    } catch (err) {
      if (!abort.signal.aborted) this.result.error(errorText(err, 'test the connection'));
    } finally {
      if (!abort.signal.aborted) {
        this.busy(null);
        this.result.node.scrollIntoView({ block: 'nearest' });
      }
    }
  }

  private showResult(result: TestResult): void {
    const pinned = this.section.control('host_key_fingerprint');
    this.result.show(result, pinned ? { pinned: pinned.value.trim(), pin: this.pin } : {});
  }

  /** Puts the fingerprint a test showed in the form (saved with the rest). */
  private readonly pin = (fingerprint: string): void => {
    const input = this.section.control('host_key_fingerprint');
    if (!input) return;
    input.value = fingerprint;
    this.section.clearProblem('host_key_fingerprint');
  };

  /** Adds the connection or saves the changes; closes the form on success. */
  async save(): Promise<void> {
    const reading = this.read();
    if (!reading) return;
    const saved = this.options.connection;
    this.showFormError(null);
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.busy('saving');
    try {
      let answer: ConnectionModel;
      if (saved) {
        const patch = connectionPatch(saved, reading.description, reading.draft.settings);
        answer = patch ? await this.options.client.update(saved.name, patch, { signal: abort.signal }) : saved;
      } else {
        answer = await this.options.client.create(
          {
            name: reading.name,
            ...reading.draft,
            ...(reading.description !== '' && { description: reading.description }),
            ...(reading.credential !== undefined && { credential: reading.credential }),
          },
          { signal: abort.signal },
        );
      }
      if (abort.signal.aborted) return;
      this.close(answer);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.busy(null);
      this.showFormError(errorText(err, saved ? `change connection ${saved.name}` : 'add the connection'));
      this.formError.scrollIntoView({ block: 'nearest' });
    }
  }

  private close(saved: ConnectionModel | null): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    this.options.onClose(saved);
  }

  private readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    void this.save();
  };

  private readonly onTest = (): void => void this.test();

  private readonly onCancel = (): void => this.close(null);

  /** A select or checkbox changed: the kind, or a choice that shows other fields. */
  private readonly onChange = (event: Event): void => {
    const field = (event.target as Element).getAttribute('name') as FormField | null;
    if (field === 'kind') this.setKind((event.target as HTMLSelectElement).value as ConnectionKind);
    else this.applyChoices();
  };

  /** Typing in a field clears its message. */
  private readonly onInput = (event: Event): void => {
    const field = (event.target as Element).getAttribute('name') as FormField | null;
    if (!field) return;
    this.common.clearProblem(field);
    this.section.clearProblem(field);
  };

  /** Stops what is in flight and forgets the credential typed. */
  dispose(): void {
    this.abort?.abort();
    this.abort = null;
    this.section.clearSecrets();
    this.typed.clear();
    this.node.removeEventListener('submit', this.onSubmit);
    this.node.removeEventListener('input', this.onInput);
    this.node.removeEventListener('change', this.onChange);
    this.buttons[0]!.removeEventListener('click', this.onTest);
    this.buttons[2]!.removeEventListener('click', this.onCancel);
    replaceChildren(this.result.node, []);
  }
}
