/**
 * One connection in the list: name, kind, description, where it points
 * (PostgreSQL host:port/database, a DuckDB file's path, a REST base URL,
 * s3://bucket/prefix, SFTP user@host:folder, a Superset or Odoo URL), the kind's
 * facts (user and TLS mode; read-only; the REST login; the S3 endpoint; the
 * SFTP port and whether its host key is pinned; the Superset user, an LDAP
 * provider and the Superset database; the Odoo user, database, company and
 * an XML-RPC protocol), the credential's version and a
 * "rotation staged" marker, and the buttons the user's role allows (Test
 * for analysts and up; Edit, Rotate, Delete for engineers and up; Rotate
 * only for a connection that takes a credential). A test's answer stays
 * under the row until the next one. A connection of a kind this client
 * does not know (a newer server's) shows its name, kind, description and
 * credential version only, with no buttons: it is managed through the API.
 *
 * DOM hooks: `li.wb-connections-item[data-connection][data-kind][data-supported=true|false][data-credential-version][data-rotation=staged|none][data-test-state=idle|testing|ok|failed|error]`
 * (`data-kind` is the server's kind, also when unsupported),
 * `.wb-connections-name`, `.wb-connections-kind`, `.wb-connections-description`, `.wb-connections-address`,
 * the facts (format.ts `connectionFacts`): `.wb-connections-user`, `.wb-connections-ssl[data-ssl]`,
 * `.wb-connections-schema-list`, `.wb-connections-access[data-access]`, `.wb-connections-auth[data-auth]`,
 * `.wb-connections-where`, `.wb-connections-path-style`, `.wb-connections-port`,
 * `.wb-connections-hostkey-pin[data-pinned]`, `.wb-connections-superset-database`, `.wb-connections-provider[data-provider]`,
 * `.wb-connections-odoo-database`, `.wb-connections-company`, `.wb-connections-protocol[data-protocol]`; `.wb-connections-credential`,
 * `.wb-connections-rotation-staged`, `.wb-connections-unsupported` (the note), `button.wb-connections-test|edit|rotate|delete`
 * (each with `data-connection`), `.wb-connections-row-result` (a TestResultView).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './connections-api';
import { connectionAddress, connectionFacts, credentialLabel, kindLabel, rotatable, rotationLabel, type ConnectionFact } from './format';
import { TestResultView } from './test-result-view';
import type { ConnectionAbilities, ListedConnection, TestResult, UnsupportedConnection } from './types';

export type RowAction = 'test' | 'edit' | 'rotate' | 'delete';

function fact(f: ConnectionFact): HTMLElement {
  const attrs = Object.fromEntries(Object.entries(f.data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return h('span', { className: `${f.badge ? 'wb-badge wb-connections-badge ' : ''}wb-connections-fact wb-connections-${f.name}`, title: f.title, attrs }, [f.text]);
}

const ACTIONS: { action: RowAction; label: string; needs: keyof ConnectionAbilities; className: string }[] = [
  { action: 'test', label: 'Test', needs: 'test', className: 'jp-mod-accept' },
  { action: 'edit', label: 'Edit', needs: 'write', className: 'jp-mod-reject' },
  { action: 'rotate', label: 'Rotate', needs: 'write', className: 'jp-mod-reject' },
  { action: 'delete', label: 'Delete', needs: 'write', className: 'jp-mod-warn' },
];

export class ConnectionRow {
  readonly node: HTMLLIElement;
  private readonly details: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly result = new TestResultView('wb-connections-row-result');
  private _connection: ListedConnection;

  constructor(connection: ListedConnection, abilities: ConnectionAbilities) {
    this._connection = connection;
    this.details = h('div', { className: 'wb-connections-item-details' });
    this.actions = h('div', { className: 'wb-connections-item-actions' });
    this.node = h('li', { className: 'wb-connections-item' }, [this.details, this.actions, this.result.node]);
    this.node.dataset.testState = 'idle';
    this.update(connection, abilities);
  }

  get connection(): ListedConnection {
    return this._connection;
  }

  update(connection: ListedConnection, abilities: ConnectionAbilities): void {
    this._connection = connection;
    if (connection.kind === 'unsupported') {
      this.showUnsupported(connection);
      return;
    }
    const c = connection.credential;
    const rotation = rotationLabel(c);
    const address = connectionAddress(connection);
    const credential = credentialLabel(connection);
    Object.assign(this.node.dataset, { connection: connection.name, kind: connection.kind, supported: 'true', credentialVersion: String(c.version ?? ''), rotation: rotation ? 'staged' : 'none' });
    replaceChildren(this.details, [
      h('div', { className: 'wb-connections-item-head' }, [
        h('span', { className: 'wb-connections-name' }, [connection.name]),
        h('span', { className: 'wb-connections-kind' }, [kindLabel(connection.kind)]),
      ]),
      connection.description ? h('p', { className: 'wb-connections-description' }, [connection.description]) : null,
      h('code', { className: 'wb-connections-address', title: address }, [address]),
      h('div', { className: 'wb-connections-facts' }, [
        ...connectionFacts(connection).map(fact),
        credential === null ? null : h('span', { className: `wb-badge wb-connections-badge wb-connections-credential${c.stored ? '' : ' wb-mod-none'}` }, [credential]),
        rotation ? h('span', { className: 'wb-badge wb-connections-badge wb-connections-rotation-staged' }, [rotation]) : null,
      ]),
    ]);
    replaceChildren(
      this.actions,
      ACTIONS.filter((a) => abilities[a.needs] && (a.action !== 'rotate' || rotatable(connection))).map((a) =>
        h(
          'button',
          {
            className: `jp-Button jp-mod-styled ${a.className} wb-button-small wb-connections-button-small wb-connections-${a.action}`,
            attrs: { type: 'button', 'data-action': a.action, 'data-connection': connection.name, 'aria-label': `${a.label} ${connection.name}` },
          },
          [a.label],
        ),
      ),
    );
    this.actions.hidden = this.actions.childElementCount === 0;
  }

  /** Read-only: what every connection has, and where to manage it. */
  private showUnsupported(connection: UnsupportedConnection): void {
    const c = connection.credential;
    const rotation = rotationLabel(c);
    Object.assign(this.node.dataset, { connection: connection.name, kind: connection.server_kind, supported: 'false', credentialVersion: String(c.version ?? ''), rotation: rotation ? 'staged' : 'none' });
    replaceChildren(this.details, [
      h('div', { className: 'wb-connections-item-head' }, [
        h('span', { className: 'wb-connections-name' }, [connection.name]),
        h('span', { className: 'wb-connections-kind' }, [connection.server_kind]),
      ]),
      connection.description ? h('p', { className: 'wb-connections-description' }, [connection.description]) : null,
      h('p', { className: 'wb-connections-note wb-connections-unsupported' }, [`Unsupported kind ${JSON.stringify(connection.server_kind)} in this version of the panel: manage it through the API.`]),
      h('div', { className: 'wb-connections-facts' }, [
        c.stored && c.version !== null ? h('span', { className: 'wb-badge wb-connections-badge wb-connections-credential' }, [`Credential v${c.version}`]) : null,
        rotation ? h('span', { className: 'wb-badge wb-connections-badge wb-connections-rotation-staged' }, [rotation]) : null,
      ]),
    ]);
    replaceChildren(this.actions, []);
    this.actions.hidden = true;
  }

  testing(): void {
    this.node.dataset.testState = 'testing';
    this.result.testing();
    this.setTestDisabled(true);
  }

  tested(result: TestResult): void {
    this.node.dataset.testState = result.ok ? 'ok' : 'failed';
    this.result.show(result);
    this.setTestDisabled(false);
  }

  testFailed(err: unknown): void {
    this.node.dataset.testState = 'error';
    this.result.error(errorText(err, `test connection ${this._connection.name}`));
    this.setTestDisabled(false);
  }

  private setTestDisabled(disabled: boolean): void {
    const b = this.actions.querySelector<HTMLButtonElement>('button.wb-connections-test');
    if (b) b.disabled = disabled;
  }
}
