/**
 * "Connections": what notebooks and pipelines use (PostgreSQL databases,
 * DuckDB files, REST APIs, S3 buckets, SFTP servers, Superset as a publish
 * target, Odoo through its external API). A connection of a kind this client does not know is listed
 * read-only (see ConnectionRow). Everyone signed in
 * sees the list; analysts and up test a connection (the answer inline,
 * under its row); engineers and up add and edit connections (a form that
 * tests before saving), rotate a credential (see rotate-dialog.ts) and
 * delete a connection after a confirmation. What the
 * user may do comes from `GET api/me?permissions=`, the server's own role
 * policy; that only tidies the interface, the server checks every request.
 *
 * Laid out for a side bar from about 250 px: one card per connection, the
 * form's fields stacked. Loads when first shown (`ensureLoaded`).
 *
 * DOM hooks: `.wb-connections-panel[data-wb-connections="panel"]` with
 * `data-wb-connections-state=loading|ready|empty|error`,
 * `data-wb-connections-view=list|form`, `data-can-test`, `data-can-write`;
 * `button.wb-connections-add`, `button.wb-connections-refresh`,
 * `.wb-connections-status` (loading, empty, error text),
 * `.wb-connections-alert` (a delete that failed), `ul.wb-connections-list`,
 * and those of ConnectionRow, ConnectionForm and the dialogs.
 */
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { errorText } from './connections-api';
import type { ConnectionsClient } from './connections-client';
import { ConnectionForm } from './connection-form';
import { ConnectionRow, type RowAction } from './connection-row';
import { rotatable, sortConnections } from './format';
import { confirmDelete, showRotateDialog, type RotateOptions } from './rotate-dialog';
import type { ConnectionAbilities, ConnectionModel, ListedConnection } from './types';

export type PanelState = 'loading' | 'ready' | 'empty' | 'error';

export interface ConnectionsPanelOptions {
  client: ConnectionsClient;
  /** Asks before deleting; default a dialog. */
  confirmDelete?: (name: string) => Promise<boolean>;
  /** The rotate flow; default a dialog. */
  rotate?: (options: RotateOptions) => Promise<void>;
}

const READ_ONLY: ConnectionAbilities = { read: true, test: false, write: false };

export class ConnectionsPanel extends Widget {
  private readonly options: ConnectionsPanelOptions;
  private readonly addButton: HTMLButtonElement;
  private readonly refreshButton: HTMLButtonElement;
  private readonly statusNode: HTMLElement;
  private readonly alertNode: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly formHost: HTMLElement;
  private readonly rows = new Map<string, ConnectionRow>();
  private form: ConnectionForm | null = null;
  private abilities: ConnectionAbilities = READ_ONLY;
  private loadAbort: AbortController | null = null;
  private loadSeq = 0;
  private loaded: Promise<void> | null = null;
  private _pending: Promise<void> = Promise.resolve();

  constructor(options: ConnectionsPanelOptions) {
    super();
    this.options = options;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-connections-panel');
    this.node.dataset.wbConnections = 'panel';
    this.addButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-button-small wb-connections-button-small wb-connections-add', attrs: { type: 'button' } }, ['Add']);
    this.refreshButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-connections-button-small wb-connections-refresh', attrs: { type: 'button', 'aria-label': 'Reload the connections' }, title: 'Reload' }, ['Reload']);
    this.statusNode = h('div', { className: 'wb-status wb-connections-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.alertNode = h('div', { className: 'wb-error-box wb-connections-alert', attrs: { role: 'alert' } });
    this.list = h('ul', { className: 'wb-connections-list', attrs: { 'aria-label': 'Connections' } });
    this.formHost = h('div', { className: 'wb-connections-form-host' });
    this.node.append(
      h('header', { className: 'wb-connections-header' }, [
        h('h2', { className: 'wb-connections-title' }, ['Connections']),
        h('span', { className: 'wb-connections-spacer' }),
        this.refreshButton,
        this.addButton,
      ]),
      h('p', { className: 'wb-connections-intro' }, ['Databases, files, APIs and file servers that notebooks and pipelines use. Credentials are stored encrypted and never shown again.']),
      this.formHost,
      this.alertNode,
      this.statusNode,
      this.list,
    );
    this.showAlert(null);
    this.setView('list');
    this.applyAbilities();
    this.addButton.addEventListener('click', this.onAdd);
    this.refreshButton.addEventListener('click', this.onRefresh);
    this.list.addEventListener('click', this.onListClick);
  }

  get state(): PanelState {
    return (this.node.dataset.wbConnectionsState as PanelState | undefined) ?? 'loading';
  }

  /** The connections shown, by name. */
  get connections(): ListedConnection[] {
    return [...this.rows.values()].map((r) => r.connection);
  }

  /** The load in flight (or the last one). */
  get pending(): Promise<void> {
    return this._pending;
  }

  /** Loads once (the first time the panel is shown); later calls return that load or the latest. */
  ensureLoaded(): Promise<void> {
    this.loaded ??= this.refresh();
    return this._pending;
  }

  /** Reloads what the user may do and the list. */
  refresh(): Promise<void> {
    this._pending = this.load();
    return this._pending;
  }

  protected override onAfterShow(): void {
    void this.ensureLoaded();
  }

  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    const isCurrent = () => seq === this.loadSeq && !this.isDisposed;
    if (this.rows.size === 0) this.setState('loading', 'Loading connections…');
    const abilities = this.options.client.abilities({ signal: abort.signal }).catch((err: unknown) => {
      // Without an answer the panel stays read-only; the server decides anyway.
      if (!abort.signal.aborted) console.warn('Connections: cannot read what you may do, so the panel is read-only:', err);
      return READ_ONLY;
    });
    try {
      const [list, may] = await Promise.all([this.options.client.list({ signal: abort.signal }), abilities]);
      if (!isCurrent()) return;
      this.abilities = may;
      this.applyAbilities();
      this.renderList(list);
    } catch (err) {
      if (!isCurrent()) return;
      this.rows.clear();
      this.list.replaceChildren();
      this.list.hidden = true;
      this.setState('error', errorText(err, 'load the connections'));
    }
  }

  private renderList(list: readonly ListedConnection[]): void {
    const next = new Map<string, ConnectionRow>();
    for (const c of sortConnections(list)) {
      const row = this.rows.get(c.name);
      if (row) row.update(c, this.abilities);
      next.set(c.name, row ?? new ConnectionRow(c, this.abilities));
    }
    this.rows.clear();
    for (const [k, v] of next) this.rows.set(k, v);
    this.list.replaceChildren(...[...next.values()].map((r) => r.node));
    this.list.hidden = next.size === 0;
    if (next.size > 0) this.setState('ready');
    else this.setState('empty', this.abilities.write ? 'No connections yet. Add one to query a database from notebooks.' : 'No connections yet. An engineer can add them.');
  }

  /** Puts a changed or new connection in the list. */
  private upsert(connection: ConnectionModel): void {
    this.renderList([...this.connections.filter((c) => c.name !== connection.name), connection]);
  }

  private setState(state: PanelState, message = ''): void {
    this.node.dataset.wbConnectionsState = state;
    this.statusNode.dataset.state = state;
    this.statusNode.textContent = message;
    this.statusNode.hidden = message === '';
    this.statusNode.classList.toggle('wb-mod-error', state === 'error');
  }

  private setView(view: 'list' | 'form'): void {
    this.node.dataset.wbConnectionsView = view;
    this.formHost.hidden = view !== 'form';
    this.addButton.disabled = view === 'form';
  }

  private applyAbilities(): void {
    this.node.dataset.canTest = String(this.abilities.test);
    this.node.dataset.canWrite = String(this.abilities.write);
    this.addButton.hidden = !this.abilities.write;
  }

  private showAlert(message: string | null): void {
    this.alertNode.textContent = message ?? '';
    this.alertNode.hidden = message === null;
  }

  /** Opens the form: a new connection, or `name` to edit. */
  openForm(name?: string): void {
    const listed = name === undefined ? undefined : this.rows.get(name)?.connection;
    if (!this.abilities.write || (name !== undefined && !listed) || listed?.kind === 'unsupported') return;
    const connection: ConnectionModel | undefined = listed;
    this.form?.dispose();
    this.showAlert(null);
    const form = new ConnectionForm({
      client: this.options.client,
      connection,
      onClose: (saved) => {
        if (this.form !== form) return;
        this.form = null;
        this.formHost.replaceChildren();
        this.setView('list');
        if (saved) {
          this.upsert(saved);
          this.rows.get(saved.name)?.node.scrollIntoView({ block: 'nearest' });
        }
      },
    });
    this.form = form;
    this.formHost.replaceChildren(form.node);
    this.setView('form');
    this.node.scrollTop = 0;
    form.focus();
  }

  /** Tests a saved connection; the answer shows under its row. */
  async test(name: string): Promise<void> {
    const row = this.rows.get(name);
    if (!row || row.connection.kind === 'unsupported') return;
    row.testing();
    try {
      const result = await this.options.client.test(name);
      if (!this.isDisposed) this.rows.get(name)?.tested(result);
    } catch (err) {
      if (!this.isDisposed) this.rows.get(name)?.testFailed(err);
    }
  }

  async rotate(name: string): Promise<void> {
    const connection = this.rows.get(name)?.connection;
    if (!connection || connection.kind === 'unsupported' || !rotatable(connection)) return;
    await (this.options.rotate ?? showRotateDialog)({ client: this.options.client, connection, onChanged: (c) => !this.isDisposed && this.upsert(c) });
  }

  /** Asks, then deletes. */
  async remove(name: string): Promise<void> {
    const row = this.rows.get(name);
    if (!row || row.connection.kind === 'unsupported') return;
    const ok = await (this.options.confirmDelete ?? confirmDelete)(name);
    if (!ok || this.isDisposed) return;
    this.showAlert(null);
    try {
      await this.options.client.remove(name);
      if (this.isDisposed) return;
      this.renderList(this.connections.filter((c) => c.name !== name));
    } catch (err) {
      this.showAlert(errorText(err, `delete connection ${name}`));
    }
  }

  private readonly onAdd = (): void => this.openForm();
  private readonly onRefresh = (): void => void this.refresh();

  private readonly onListClick = (event: MouseEvent): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action][data-connection]');
    const name = button?.dataset.connection;
    if (!name) return;
    const action = button.dataset.action as RowAction;
    if (action === 'test') void this.test(name);
    else if (action === 'edit') this.openForm(name);
    else if (action === 'rotate') void this.rotate(name);
    else if (action === 'delete') void this.remove(name);
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.loadSeq++;
    this.loadAbort?.abort();
    this.form?.dispose();
    this.form = null;
    this.addButton.removeEventListener('click', this.onAdd);
    this.refreshButton.removeEventListener('click', this.onRefresh);
    this.list.removeEventListener('click', this.onListClick);
    super.dispose();
  }
}
