/**
 * The Add / Edit form: every PostgreSQL setting with the server's defaults
 * filled in, checked field by field before anything is sent (the server's
 * own 400 message is shown under the form when it still refuses), "Test"
 * to try the settings before saving them, Save and Cancel. The name is
 * fixed once the connection exists; the password is never filled in, lives
 * only in its input, and is cleared when the form closes (editing never
 * changes it: that is a rotation; there it is only used for "Test").
 *
 * DOM hooks: `form.wb-connections-form[data-mode=create|edit]` (`data-busy`
 * = `testing` or `saving` while a request runs), `[data-field=<field>]` on
 * each `label.wb-connections-field` with its input `.wb-connections-input-<field>`
 * (`aria-invalid`), `.wb-connections-field-error[data-field]`,
 * `.wb-connections-form-error` (the server's message),
 * `button.wb-connections-form-test`, `-save`, `-cancel`, and the draft's
 * `.wb-connections-form-result` (a TestResultView).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './connections-api';
import type { ConnectionsClient } from './connections-client';
import { connectionPatch, formValues, readForm, SSL_CHOICES, type FormField, type FormProblem, type FormReading, type FormValues } from './format';
import { TestResultView } from './test-result-view';
import type { ConnectionModel } from './types';

export interface ConnectionFormOptions {
  client: ConnectionsClient;
  /** The connection edited; absent: a new one. */
  connection?: ConnectionModel;
  /** Called once: the saved connection, or null when cancelled. */
  onClose: (saved: ConnectionModel | null) => void;
}

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export class ConnectionForm {
  readonly node: HTMLFormElement;
  private readonly options: ConnectionFormOptions;
  private readonly inputs = new Map<FormField, Input>();
  private readonly errors = new Map<FormField, HTMLElement>();
  private readonly formError: HTMLElement;
  private readonly result = new TestResultView('wb-connections-form-result');
  private readonly buttons: HTMLButtonElement[];
  private readonly caField: HTMLElement;
  private abort: AbortController | null = null;
  private closed = false;

  constructor(options: ConnectionFormOptions) {
    this.options = options;
    const editing = options.connection !== undefined;
    const values = formValues(options.connection);
    const uid = `wb-connections-form-${Math.random().toString(36).slice(2, 8)}`;

    const input = (field: FormField, attrs: Record<string, string> = {}): HTMLInputElement => {
      const el = h('input', { className: `jp-mod-styled wb-input wb-connections-input wb-connections-input-${field}`, attrs: { type: 'text', name: field, autocomplete: 'off', spellcheck: 'false', ...attrs } });
      el.value = values[field];
      return el;
    };
    const select = h(
      'select',
      { className: 'wb-select wb-connections-select wb-connections-input-ssl', attrs: { name: 'ssl' } },
      SSL_CHOICES.map((c) => h('option', { attrs: { value: c.value } }, [c.label])),
    );
    select.value = values.ssl;
    const ca = h('textarea', { className: 'jp-mod-styled wb-input wb-connections-input wb-connections-input-ca', attrs: { name: 'ca', rows: '3', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' } });
    ca.value = values.ca;

    const nameInput = input('name', { maxlength: '63', placeholder: 'e.g. odoo', required: '' });
    if (editing) nameInput.readOnly = true;
    const field = (name: FormField, label: string, el: Input, hint?: string): HTMLElement => {
      this.inputs.set(name, el);
      const error = h('span', { className: 'wb-connections-field-error', attrs: { 'data-field': name, id: `${uid}-${name}-error` } });
      error.hidden = true;
      this.errors.set(name, error);
      el.setAttribute('aria-describedby', error.id);
      return h('label', { className: `wb-field wb-connections-field wb-connections-field-${name}`, attrs: { 'data-field': name } }, [
        h('span', { className: 'wb-label wb-connections-label' }, [label]),
        el,
        hint ? h('span', { className: 'wb-connections-hint' }, [hint]) : null,
        error,
      ]);
    };

    this.caField = field('ca', 'CA certificate (PEM)', ca, 'Empty: the system’s CAs.');
    this.formError = h('div', { className: 'wb-error-box wb-connections-form-error', attrs: { role: 'alert' } });
    this.formError.hidden = true;
    const testButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-connections-form-test', attrs: { type: 'button' } }, ['Test']);
    const saveButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-connections-form-save', attrs: { type: 'submit' } }, [editing ? 'Save' : 'Add']);
    const cancelButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-connections-form-cancel', attrs: { type: 'button' } }, ['Cancel']);
    this.buttons = [testButton, saveButton, cancelButton];

    this.node = h('form', { className: 'wb-form wb-connections-form', attrs: { 'data-mode': editing ? 'edit' : 'create', novalidate: '', 'aria-label': editing ? `Edit connection ${options.connection!.name}` : 'Add a connection' } }, [
      h('h3', { className: 'wb-connections-form-title' }, [editing ? `Edit ${options.connection!.name}` : 'Add a PostgreSQL connection']),
      field('name', 'Name', nameInput, editing ? 'The name cannot change.' : 'Lowercase letters, digits, _ or -.'),
      field('description', 'Description', input('description', { maxlength: '2000', placeholder: 'What it is for' })),
      h('div', { className: 'wb-connections-row' }, [field('host', 'Host', input('host', { maxlength: '255', placeholder: 'db.example.com' })), field('port', 'Port', input('port', { inputmode: 'numeric' }))]),
      h('div', { className: 'wb-connections-row' }, [field('database', 'Database', input('database', { maxlength: '63' })), field('user', 'User', input('user', { maxlength: '63' }))]),
      field(
        'password',
        'Password',
        input('password', { type: 'password', autocomplete: 'new-password', maxlength: '1024' }),
        editing ? 'Only for Test: the password in use changes by Rotate.' : 'Stored encrypted; never shown again.',
      ),
      field('ssl', 'TLS', select),
      this.caField,
      field('schemas', 'Schemas', input('schemas'), 'Comma-separated; Test checks each one.'),
      h('details', { className: 'wb-connections-pool' }, [
        h('summary', {}, ['Pool and timeouts']),
        h('div', { className: 'wb-connections-row' }, [field('max', 'Pool size', input('max', { inputmode: 'numeric' })), field('connect_timeout_s', 'Connect (s)', input('connect_timeout_s', { inputmode: 'numeric' }))]),
        h('div', { className: 'wb-connections-row' }, [
          field('idle_timeout_s', 'Idle (s)', input('idle_timeout_s', { inputmode: 'numeric' })),
          field('statement_timeout_s', 'Statement (s)', input('statement_timeout_s', { inputmode: 'numeric' })),
        ]),
      ]),
      this.formError,
      this.result.node,
      h('div', { className: 'wb-connections-form-buttons' }, [testButton, h('span', { className: 'wb-connections-spacer' }), cancelButton, saveButton]),
    ]);
    this.showCa();

    this.node.addEventListener('submit', this.onSubmit);
    this.node.addEventListener('input', this.onInput);
    select.addEventListener('change', this.onSslChange);
    testButton.addEventListener('click', this.onTest);
    cancelButton.addEventListener('click', this.onCancel);
  }

  /** Focus the first field that can be typed in. */
  focus(): void {
    const first = this.options.connection ? this.inputs.get('description') : this.inputs.get('name');
    first?.focus();
  }

  private values(): FormValues {
    const v = {} as FormValues;
    for (const [k, el] of this.inputs) v[k] = el.value;
    return v;
  }

  private showProblems(problems: FormProblem[]): void {
    for (const [k, el] of this.errors) {
      const p = problems.find((x) => x.field === k);
      el.textContent = p?.message ?? '';
      el.hidden = !p;
      this.inputs.get(k)!.setAttribute('aria-invalid', String(Boolean(p)));
    }
    const first = problems[0];
    if (first) {
      if (first.field === 'max' || first.field.endsWith('_timeout_s')) (this.node.querySelector('details.wb-connections-pool') as HTMLDetailsElement).open = true;
      this.inputs.get(first.field)!.focus();
    }
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
    const reading = readForm(this.values());
    this.showProblems(reading.ok ? [] : reading.problems);
    if (!reading.ok) {
      this.showFormError(null);
      return null;
    }
    return reading;
  }

  /** Tests the form's settings (and password, if typed) without saving them. */
  async test(): Promise<void> {
    const reading = this.read();
    if (!reading) return;
    this.showFormError(null);
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.busy('testing');
    this.result.testing();
    try {
      const result = await this.options.client.testDraft(
        { kind: 'postgres', settings: reading.settings, ...(reading.password !== undefined && { credential: { password: reading.password } }) },
        { signal: abort.signal },
      );
      if (!abort.signal.aborted) this.result.show(result);
    } catch (err) {
      if (!abort.signal.aborted) this.result.error(errorText(err, 'test the connection'));
    } finally {
      if (!abort.signal.aborted) {
        this.busy(null);
        this.result.node.scrollIntoView({ block: 'nearest' });
      }
    }
  }

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
        const patch = connectionPatch(saved, reading.description, reading.settings);
        answer = patch ? await this.options.client.update(saved.name, patch, { signal: abort.signal }) : saved;
      } else {
        answer = await this.options.client.create(
          {
            name: reading.name,
            kind: 'postgres',
            ...(reading.description !== '' && { description: reading.description }),
            settings: reading.settings,
            ...(reading.password !== undefined && { credential: { password: reading.password } }),
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

  private showCa(): void {
    this.caField.hidden = this.inputs.get('ssl')!.value !== 'verify-full';
  }

  private readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    void this.save();
  };

  private readonly onTest = (): void => void this.test();

  private readonly onCancel = (): void => this.close(null);

  private readonly onSslChange = (): void => this.showCa();

  /** Typing in a field clears its message. */
  private readonly onInput = (event: Event): void => {
    const name = (event.target as Element).getAttribute('name') as FormField | null;
    const error = name ? this.errors.get(name) : undefined;
    if (error && !error.hidden) {
      error.hidden = true;
      this.inputs.get(name!)!.setAttribute('aria-invalid', 'false');
    }
  };

  /** Stops what is in flight and forgets the password. */
  dispose(): void {
    this.abort?.abort();
    this.abort = null;
    const password = this.inputs.get('password');
    if (password) password.value = '';
    this.node.removeEventListener('submit', this.onSubmit);
    this.node.removeEventListener('input', this.onInput);
    this.inputs.get('ssl')?.removeEventListener('change', this.onSslChange);
    this.buttons[0]!.removeEventListener('click', this.onTest);
    this.buttons[2]!.removeEventListener('click', this.onCancel);
    replaceChildren(this.result.node, []);
  }
}
