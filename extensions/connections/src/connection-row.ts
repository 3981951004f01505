/**
 * One connection in the list: name, description, host:port/database, user,
 * TLS mode, the password's version and a "rotation staged" marker, and the
 * buttons the user's role allows (Test for analysts and up; Edit, Rotate,
 * Delete for engineers and up). A test's answer stays under the row until
 * the next one.
 *
 * DOM hooks: `li.wb-connections-item[data-connection][data-credential-version][data-rotation=staged|none][data-test-state=idle|testing|ok|failed|error]`,
 * `.wb-connections-name`, `.wb-connections-description`, `.wb-connections-address`,
 * `.wb-connections-user`, `.wb-connections-ssl[data-ssl]`, `.wb-connections-credential`,
 * `.wb-connections-rotation-staged`, `button.wb-connections-test|edit|rotate|delete`
 * (each with `data-connection`), `.wb-connections-row-result` (a TestResultView).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './connections-api';
import { credentialLabel, formatAddress, rotationLabel, sslLabel } from './format';
import { TestResultView } from './test-result-view';
import type { ConnectionAbilities, ConnectionModel, TestResult } from './types';

export type RowAction = 'test' | 'edit' | 'rotate' | 'delete';

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
  private _connection: ConnectionModel;

  constructor(connection: ConnectionModel, abilities: ConnectionAbilities) {
    this._connection = connection;
    this.details = h('div', { className: 'wb-connections-item-details' });
    this.actions = h('div', { className: 'wb-connections-item-actions' });
    this.node = h('li', { className: 'wb-connections-item' }, [this.details, this.actions, this.result.node]);
    this.node.dataset.testState = 'idle';
    this.update(connection, abilities);
  }

  get connection(): ConnectionModel {
    return this._connection;
  }

  update(connection: ConnectionModel, abilities: ConnectionAbilities): void {
    this._connection = connection;
    const { settings: s, credential: c } = connection;
    const rotation = rotationLabel(c);
    Object.assign(this.node.dataset, { connection: connection.name, credentialVersion: String(c.version ?? ''), rotation: rotation ? 'staged' : 'none' });
    replaceChildren(this.details, [
      h('div', { className: 'wb-connections-item-head' }, [
        h('span', { className: 'wb-connections-name' }, [connection.name]),
        h('span', { className: 'wb-connections-kind' }, ['PostgreSQL']),
      ]),
      connection.description ? h('p', { className: 'wb-connections-description' }, [connection.description]) : null,
      h('code', { className: 'wb-connections-address', title: formatAddress(s) }, [formatAddress(s)]),
      h('div', { className: 'wb-connections-facts' }, [
        h('span', { className: 'wb-connections-user', title: `User ${s.user}` }, [`as ${s.user}`]),
        h('span', { className: 'wb-badge wb-connections-badge wb-connections-ssl', attrs: { 'data-ssl': s.ssl } }, [sslLabel(s.ssl)]),
        h('span', { className: `wb-badge wb-connections-badge wb-connections-credential${c.stored ? '' : ' wb-mod-none'}` }, [credentialLabel(c)]),
        rotation ? h('span', { className: 'wb-badge wb-connections-badge wb-connections-rotation-staged' }, [rotation]) : null,
      ]),
    ]);
    replaceChildren(
      this.actions,
      ACTIONS.filter((a) => abilities[a.needs]).map((a) =>
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
