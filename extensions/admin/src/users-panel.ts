/**
 * "Users and roles" (admins): everybody who has signed in or holds a
 * token, with their roles as checkboxes, where those roles come from
 * (the identity provider's groups, or set by an admin here), and whether
 * the user is disabled. Each row saves on its own (see user-row.ts).
 *
 * DOM hooks: `.wb-admin-users[data-wb-admin="users"][data-wb-admin-state=loading|ready|empty|error]`,
 * `table.wb-admin-users-table`, and those of UserRow.
 */
import { h } from '@workbench/lab-common';
import { errorText } from './admin-api';
import type { AdminClient } from './admin-client';
import { AdminScreen, headRow } from './screen';
import { UserRow } from './user-row';

export interface UsersPanelOptions {
  client: AdminClient;
  /** The signed-in user's name, marked "(you)". */
  self?: string;
}

export class UsersPanel extends AdminScreen {
  private readonly options: UsersPanelOptions;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private rows: UserRow[] = [];

  constructor(options: UsersPanelOptions) {
    super('users', 'Users and roles', [
      'Roles come from the identity provider’s groups (the server’s role mapping) until an admin sets them here; ',
      '“Reset to provider” hands them back. A disabled user cannot sign in, and their API tokens stop working.',
    ]);
    this.options = options;
    this.body = h('tbody');
    this.table = h('table', { className: 'wb-admin-table wb-admin-users-table' }, [headRow(['User', 'Email', 'Roles', 'Status', null]), this.body]);
    this.node.append(this.statusNode, h('div', { className: 'wb-admin-table-wrap' }, [this.table]));
    void this.refresh();
  }

  /** The row of a user, or undefined. */
  row(username: string): UserRow | undefined {
    return this.rows.find((r) => r.username === username);
  }

  protected async load(signal: AbortSignal, isCurrent: () => boolean): Promise<void> {
    if (this.rows.length === 0) this.setState('loading', 'Loading users…');
    try {
      const list = await this.options.client.users({ signal });
      if (!isCurrent()) return;
      this.clearRows();
      const users = [...list.users].sort((a, b) => a.username.localeCompare(b.username));
      this.rows = users.map((u) => new UserRow(u, { roles: list.roles, self: this.options.self, save: (username, patch) => this.options.client.updateUser(username, patch) }));
      this.body.replaceChildren(...this.rows.flatMap((r) => [r.row, r.messageRow]));
      this.table.hidden = this.rows.length === 0;
      if (this.rows.length === 0) this.setState('empty', 'No users yet: users appear once they sign in or create an API token.');
      else this.setState('ready');
    } catch (err) {
      if (!isCurrent()) return;
      this.clearRows();
      this.table.hidden = true;
      this.setState('error', errorText(err, 'load the users'));
    }
  }

  private clearRows(): void {
    for (const r of this.rows) r.dispose();
    this.rows = [];
    this.body.replaceChildren();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.clearRows();
    super.dispose();
  }
}
