/**
 * The Python Environments screen: every project environment the server has
 * built (project folder, requirements file, size, when built, when a kernel
 * last started in it) with what it is now: Current (the project's
 * requirements name it) or Superseded (they changed, or the project is
 * gone), and In use (a kernel runs in it). Engineers may delete one that no
 * kernel uses (the project's next kernel builds it again) and delete every
 * unused superseded one at once; the server refuses what they may not, and
 * its message is shown.
 *
 * DOM hooks: `.wb-envs-screen[data-wb-envs-state=loading|ready|empty|error]`,
 * `tr.wb-envs-row[data-id][data-current][data-in-use]` with
 * `button.wb-envs-delete`, `button.wb-envs-prune`, `button.wb-envs-reload`,
 * `.wb-envs-status` (the last action's outcome, role=status),
 * `.wb-envs-error` (role=alert).
 */
import { Widget } from '@lumino/widgets';
import { formatBytes, formatRelative, h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './environments-api';
import type { EnvironmentsClient } from './environments-client';
import type { EnvironmentInfo, EnvironmentsAbilities } from './types';

export interface EnvironmentsScreenOptions {
  client: EnvironmentsClient;
  abilities: () => Promise<EnvironmentsAbilities>;
  now?: () => number;
}

type State = 'loading' | 'ready' | 'empty' | 'error';

export class EnvironmentsScreen extends Widget {
  /** The load in flight (resolves when the table shows what it read). */
  pending: Promise<void> = Promise.resolve();
  private readonly body: HTMLElement;
  private readonly statusNode: HTMLElement;
  private readonly errorNode: HTMLElement;
  private readonly pruneButton: HTMLButtonElement;
  private may: EnvironmentsAbilities = { read: false, write: false };
  private busy = false;

  constructor(private readonly options: EnvironmentsScreenOptions) {
    super();
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-envs-screen');
    this.pruneButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-envs-prune', attrs: { type: 'button', title: 'Delete every superseded environment no kernel uses' } }, ['Delete unused']);
    this.pruneButton.hidden = true;
    this.statusNode = h('p', { className: 'wb-envs-status', attrs: { role: 'status' } });
    this.errorNode = h('div', { className: 'wb-error-box wb-envs-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.body = h('div', { className: 'wb-envs-body' });
    this.node.append(
      h('div', { className: 'wb-envs-header' }, [
        h('h2', { className: 'wb-envs-title' }, ['Python environments']),
        h('span', { className: 'wb-envs-spacer' }),
        h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-envs-reload', attrs: { type: 'button' } }, ['Reload']),
        this.pruneButton,
      ]),
      h('p', { className: 'wb-envs-intro' }, [
        'A folder with a requirements.txt or pyproject.toml is a project: its notebooks’ Python kernels run in an environment built from it, and %pip installs there. When the requirements change a new environment is built; the old one is superseded and deleted once unused for a while.',
      ]),
      this.statusNode,
      this.errorNode,
      this.body,
    );
    this.node.addEventListener('click', this.onClick);
    this.node.dataset.wbEnvsState = 'loading';
    this.pending = this.refresh();
  }

  async refresh(): Promise<void> {
    this.setState('loading');
    try {
      const [may, list] = await Promise.all([this.options.abilities(), this.options.client.list()]);
      this.may = may;
      this.render(list);
    } catch (err) {
      this.fail(errorText(err, 'list the environments'));
      this.setState('error');
    }
  }

  private render(list: EnvironmentInfo[]): void {
    this.pruneButton.hidden = !this.may.write;
    this.pruneButton.disabled = !list.some((e) => !e.current && !e.inUse);
    if (list.length === 0) {
      replaceChildren(this.body, [h('p', { className: 'wb-envs-empty' }, ['No environments yet: one is built when a notebook in a project folder starts its Python kernel.'])]);
      this.setState('empty');
      return;
    }
    const now = (this.options.now ?? Date.now)();
    const row = (e: EnvironmentInfo) =>
      h('tr', { className: 'wb-envs-row', attrs: { 'data-id': e.id, 'data-current': String(e.current), 'data-in-use': String(e.inUse) } }, [
        h('td', {}, [h('div', { className: 'wb-envs-project' }, [h('span', {}, [e.project === '' ? '(workspace root)' : e.project]), h('code', { className: 'wb-envs-file' }, [e.file])])]),
        h('td', {}, [h('div', { className: 'wb-envs-badges' }, [
          h('span', { className: 'wb-badge', attrs: { 'data-kind': e.current ? 'current' : 'superseded', title: e.current ? 'Built from the project’s requirements as they are now' : 'Its project’s requirements changed, or the project is gone' } }, [e.current ? 'Current' : 'Superseded']),
          e.inUse ? h('span', { className: 'wb-badge', attrs: { 'data-kind': 'in-use', title: 'A running kernel uses it' } }, ['In use']) : null,
        ])]),
        h('td', { className: 'wb-envs-num' }, [formatBytes(e.sizeBytes)]),
        h('td', { attrs: { title: new Date(e.builtAt).toISOString() } }, [formatRelative(e.builtAt, now)]),
        h('td', { attrs: { title: new Date(e.lastUsedAt).toISOString() } }, [formatRelative(e.lastUsedAt, now)]),
        h('td', { className: 'wb-envs-actions' }, [
          this.may.write
            ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-envs-delete', attrs: { type: 'button', 'data-id': e.id, 'aria-label': `Delete the environment of ${e.project || 'the workspace root'} (${e.id})`, ...(e.inUse && { disabled: '', title: 'A running kernel uses it: shut the kernel down first' }) } }, ['Delete'])
            : null,
        ]),
      ]);
    replaceChildren(this.body, [
      h('div', { className: 'wb-envs-table-box' }, [
        h('table', { className: 'wb-envs-table' }, [
          h('thead', {}, [h('tr', {}, ['Project', 'State', 'Size', 'Built', 'Last used', ''].map((t) => h('th', { attrs: { scope: 'col' } }, [t])))]),
          h('tbody', {}, list.map(row)),
        ]),
      ]),
    ]);
    this.setState('ready');
  }

  private readonly onClick = (event: Event): void => {
    const target = event.target as Element;
    const del = target.closest<HTMLButtonElement>('button.wb-envs-delete');
    if (del?.dataset.id) void this.act(() => this.options.client.remove(del.dataset.id!), `Deleted ${del.dataset.id}; its project’s next kernel builds it again.`, `delete environment ${del.dataset.id}`);
    else if (target.closest('button.wb-envs-prune'))
      void this.act(() => this.options.client.prune(0), (removed) => (removed.length === 0 ? 'Nothing to delete: every environment is current or in use.' : `Deleted ${removed.length === 1 ? '1 environment' : `${removed.length} environments`}.`), 'delete the unused environments');
    else if (target.closest('button.wb-envs-reload')) this.pending = this.refresh();
  };

  private async act<T>(run: () => Promise<T>, done: string | ((r: T) => string), action: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.errorNode.hidden = true;
    try {
      const r = await run();
      this.statusNode.textContent = typeof done === 'string' ? done : done(r);
    } catch (err) {
      this.fail(errorText(err, action));
    } finally {
      this.busy = false;
    }
    this.pending = this.refresh();
    await this.pending;
  }

  private fail(text: string): void {
    this.errorNode.textContent = text;
    this.errorNode.hidden = false;
  }

  private setState(state: State): void {
    this.node.dataset.wbEnvsState = state;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.node.removeEventListener('click', this.onClick);
    super.dispose();
  }
}
