/**
 * "API tokens": the signed-in user's personal tokens (for VS Code, scripts,
 * `jupyter server --gateway-url`). Create one (name, expiry; the token is
 * shown once, see token-dialog.ts), see when each was last used, revoke.
 *
 * DOM hooks: `.wb-admin-tokens[data-wb-admin="tokens"][data-wb-admin-state=loading|ready|empty|error]`,
 * `form.wb-admin-token-form` (`data-busy`), `input.wb-admin-token-name`,
 * `select.wb-admin-token-expiry`, `button.wb-admin-token-create`,
 * `.wb-admin-token-form-error`, `.wb-admin-tokens-error` (a revoke that failed),
 * `tr.wb-admin-token[data-token-id][data-status=active|expired|revoked]` with
 * `.wb-admin-token-prefix`, `.wb-admin-token-status`, `button.wb-admin-token-revoke`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './admin-api';
import type { AdminClient } from './admin-client';
import { EXPIRY_CHOICES, formatAbsoluteTime, formatDateParts, sortTokens, tokenNameProblem, tokenStatus, type FormatOptions, type TokenStatus } from './format';
import { AdminScreen, dateTimeElement, headRow } from './screen';
import { confirmRevoke, showTokenDialog } from './token-dialog';
import type { ApiToken, CreatedApiToken } from './types';

export interface TokensPanelOptions {
  client: AdminClient;
  /** Shows the new token once; default a dialog with a Copy button. */
  showSecret?: (created: CreatedApiToken) => Promise<void>;
  /** Asks before revoking; default a dialog. */
  confirmRevoke?: (token: ApiToken) => Promise<boolean>;
  /** Clock for the expired state; default `() => new Date()`. */
  now?: () => Date;
  format?: FormatOptions;
}

const STATUS_LABELS: Record<TokenStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

export class TokensPanel extends AdminScreen {
  private readonly options: TokensPanelOptions;
  private readonly form: HTMLFormElement;
  private readonly nameInput: HTMLInputElement;
  private readonly expirySelect: HTMLSelectElement;
  private readonly createButton: HTMLButtonElement;
  private readonly formError: HTMLElement;
  private readonly actionError: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private tokens: ApiToken[] = [];

  constructor(options: TokensPanelOptions) {
    super('tokens', 'API tokens', [
      'Tokens let scripts, VS Code and other Jupyter clients act as you, with your roles. Send one as ',
      h('code', {}, ['Authorization: token <TOKEN>']),
      '. Revoke a token you no longer use or may have leaked.',
    ]);
    this.options = options;

    this.nameInput = h('input', {
      className: 'jp-mod-styled wb-input wb-admin-input wb-admin-token-name',
      attrs: { type: 'text', name: 'name', maxlength: '100', required: '', autocomplete: 'off', placeholder: 'e.g. VS Code on my laptop', 'aria-describedby': 'wb-admin-token-form-error' },
    });
    this.expirySelect = h(
      'select',
      { className: 'wb-select wb-admin-select wb-admin-token-expiry', attrs: { name: 'expires' } },
      EXPIRY_CHOICES.map((c, i) => h('option', { attrs: { value: String(i) } }, [c.label])),
    );
    this.createButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-admin-token-create', attrs: { type: 'submit' } }, ['Create token']);
    this.formError = h('div', { className: 'wb-admin-form-error wb-admin-token-form-error', attrs: { id: 'wb-admin-token-form-error', role: 'alert' } });
    this.formError.hidden = true;
    this.form = h('form', { className: 'wb-form wb-admin-form wb-admin-token-form', attrs: { 'aria-label': 'New API token', novalidate: '' } }, [
      h('label', { className: 'wb-field wb-admin-field wb-admin-field-grow' }, [h('span', { className: 'wb-label wb-admin-label' }, ['Name']), this.nameInput]),
      h('label', { className: 'wb-field wb-admin-field' }, [h('span', { className: 'wb-label wb-admin-label' }, ['Expires']), this.expirySelect]),
      h('div', { className: 'wb-field wb-admin-field wb-admin-field-button' }, [this.createButton]),
      this.formError,
    ]);
    this.actionError = h('div', { className: 'wb-error-box wb-admin-alert wb-admin-tokens-error', attrs: { role: 'alert' } });
    this.actionError.hidden = true;

    this.body = h('tbody');
    this.table = h('table', { className: 'wb-admin-table wb-admin-tokens-table' }, [headRow(['Name', 'Token', 'Created', 'Last used', 'Expires', 'Status', null]), this.body]);
    this.node.append(h('section', { className: 'wb-admin-section', attrs: { 'aria-label': 'Create a token' } }, [this.form]), this.actionError, this.statusNode, h('div', { className: 'wb-admin-table-wrap' }, [this.table]));

    this.form.addEventListener('submit', this.onSubmit);
    this.body.addEventListener('click', this.onClick);
    this.nameInput.addEventListener('input', this.onNameInput);
    void this.refresh();
  }

  /** The tokens shown, newest first. */
  get tokenList(): readonly ApiToken[] {
    return this.tokens;
  }

  protected async load(signal: AbortSignal, isCurrent: () => boolean): Promise<void> {
    if (this.tokens.length === 0) this.setState('loading', 'Loading your tokens…');
    try {
      const tokens = await this.options.client.tokens({ signal });
      if (!isCurrent()) return;
      this.tokens = sortTokens(tokens);
      this.render();
    } catch (err) {
      if (!isCurrent()) return;
      this.tokens = [];
      this.render();
      this.setState('error', errorText(err, 'load your API tokens'));
    }
  }

  private render(): void {
    const now = (this.options.now ?? (() => new Date()))();
    replaceChildren(this.body, this.tokens.map((t) => this.row(t, now)));
    this.table.hidden = this.tokens.length === 0;
    if (this.tokens.length === 0) this.setState('empty', 'You have no API tokens yet.');
    else this.setState('ready');
  }

  private time(iso: string | null, none: string): Node | string {
    return iso === null ? h('span', { className: 'wb-admin-muted' }, [none]) : dateTimeElement(iso, this.options.format);
  }

  private row(token: ApiToken, now: Date): HTMLTableRowElement {
    const status = tokenStatus(token, now);
    const when = status === 'revoked' ? token.revoked : status === 'expired' ? token.expires : null;
    return h('tr', { className: 'wb-admin-token', attrs: { 'data-token-id': token.id, 'data-status': status } }, [
      h('td', { className: 'wb-admin-token-name-cell', title: token.name }, [token.name]),
      h('td', {}, [h('code', { className: 'wb-admin-token-prefix', title: 'The first characters of the token' }, [`${token.prefix}…`])]),
      h('td', {}, [this.time(token.created, '')]),
      h('td', {}, [this.time(token.last_used, 'never')]),
      h('td', {}, [this.time(token.expires, 'never')]),
      h('td', {}, [
        h('span', { className: `wb-badge wb-admin-badge wb-admin-token-status wb-mod-${status}`, title: when ? `${STATUS_LABELS[status]} ${formatAbsoluteTime(when, this.options.format)}` : undefined }, [STATUS_LABELS[status]]),
        when ? h('div', { className: 'wb-admin-token-when' }, [h('time', { attrs: { datetime: when } }, [formatDateParts(when, this.options.format).date])]) : null,
      ]),
      h('td', { className: 'wb-admin-actions' }, [
        status === 'active'
          ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-warn wb-button-small wb-admin-button-small wb-admin-token-revoke', attrs: { type: 'button', 'data-token-id': token.id, 'aria-label': `Revoke ${token.name}` } }, ['Revoke'])
          : null,
      ]),
    ]);
  }

  private showFormError(message: string | null): void {
    this.formError.textContent = message ?? '';
    this.formError.hidden = message === null;
    this.nameInput.setAttribute('aria-invalid', String(message !== null));
  }

  private showActionError(message: string | null): void {
    this.actionError.textContent = message ?? '';
    this.actionError.hidden = message === null;
  }

  private readonly onNameInput = (): void => {
    if (!this.formError.hidden) this.showFormError(null);
  };

  private readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    void this.create();
  };

  /** Creates a token from the form, shows it once, and lists it (without the token). */
  async create(): Promise<void> {
    const name = this.nameInput.value.trim();
    const problem = tokenNameProblem(name);
    if (problem) {
      this.showFormError(problem);
      this.nameInput.focus();
      return;
    }
    const choice = EXPIRY_CHOICES[Number(this.expirySelect.value)] ?? EXPIRY_CHOICES[0]!;
    this.showFormError(null);
    this.showActionError(null);
    this.form.dataset.busy = 'true';
    this.createButton.disabled = true;
    let created: CreatedApiToken;
    try {
      created = await this.options.client.createToken(choice.days === undefined ? { name } : { name, expires_in_days: choice.days });
    } catch (err) {
      this.showFormError(errorText(err, 'create the API token'));
      return;
    } finally {
      delete this.form.dataset.busy;
      this.createButton.disabled = false;
    }
    if (this.isDisposed) return;
    const { token: _secret, ...model } = created;
    this.tokens = sortTokens([model, ...this.tokens.filter((t) => t.id !== model.id)]);
    this.render();
    this.nameInput.value = '';
    await (this.options.showSecret ?? showTokenDialog)(created);
  }

  /** Asks, then revokes the token and shows it as revoked. */
  async revoke(id: string): Promise<void> {
    const token = this.tokens.find((t) => t.id === id);
    if (!token) return;
    const ok = await (this.options.confirmRevoke ?? ((t: ApiToken) => confirmRevoke(t.name)))(token);
    if (!ok || this.isDisposed) return;
    this.showActionError(null);
    const button = this.body.querySelector<HTMLButtonElement>(`button.wb-admin-token-revoke[data-token-id="${CSS.escape(id)}"]`);
    if (button) button.disabled = true;
    try {
      const revoked = await this.options.client.revokeToken(id);
      if (this.isDisposed) return;
      this.tokens = sortTokens(this.tokens.map((t) => (t.id === id ? revoked : t)));
      this.render();
    } catch (err) {
      if (button) button.disabled = false;
      this.showActionError(errorText(err, `revoke the API token ${token.name}`));
    }
  }

  private readonly onClick = (event: MouseEvent): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button.wb-admin-token-revoke');
    if (button?.dataset.tokenId) void this.revoke(button.dataset.tokenId);
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.form.removeEventListener('submit', this.onSubmit);
    this.body.removeEventListener('click', this.onClick);
    this.nameInput.removeEventListener('input', this.onNameInput);
    super.dispose();
  }
}
