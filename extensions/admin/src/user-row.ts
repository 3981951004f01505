/**
 * One user in the Users table: the role checkboxes and the Disabled box
 * are edits of this row only; Save sends what changed (a PATCH with only
 * those keys), Cancel puts the saved values back, "Reset to provider"
 * hands the roles back to the identity provider's group mapping. A failed
 * save keeps the edits and shows the server's message under the row.
 *
 * DOM hooks: `tr.wb-admin-user[data-username][data-state=clean|dirty|saving|saved|error]`
 * (`data-roles-source`, `data-disabled`), `.wb-admin-user-name`, `.wb-admin-user-display`,
 * `.wb-admin-user-email`, `.wb-admin-user-source`, `label.wb-admin-role[data-role] input`,
 * `.wb-admin-roles-source`, `button.wb-admin-user-reset`, `input.wb-admin-user-disabled`,
 * `button.wb-admin-user-save`, `button.wb-admin-user-cancel`, `.wb-admin-user-saved`;
 * the message row after it: `tr.wb-admin-user-message > .wb-admin-user-error`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './admin-api';
import { orderRoles, rolesSourceLabel, userPatch, userSourceLabel, type UserEdit } from './format';
import type { UserModel, UserPatch } from './types';

export type UserRowState = 'clean' | 'dirty' | 'saving' | 'saved' | 'error';

export const USER_COLUMNS = 5;

const SOURCE_TITLES: Record<UserModel['source'], string> = {
  oidc: 'Signs in with SSO (the identity provider)',
  token: "Signs in with a token from the server's configuration",
  local: 'A local account',
};

/** The address with a line-break opportunity after the "@" (narrow columns wrap there, not mid-word). */
function emailParts(email: string): (string | Node)[] {
  const at = email.lastIndexOf('@');
  return at < 0 ? [email] : [email.slice(0, at + 1), document.createElement('wbr'), email.slice(at + 1)];
}

export interface UserRowOptions {
  roles: readonly string[];
  /** Sends the PATCH; resolves with the user as saved. */
  save: (username: string, patch: UserPatch) => Promise<UserModel>;
  /** The signed-in user's name (their row says "you"). */
  self?: string;
}

export class UserRow {
  readonly row: HTMLTableRowElement;
  readonly messageRow: HTMLTableRowElement;
  private readonly message: HTMLElement;
  private user: UserModel;
  private edit: { roles: Set<string>; disabled: boolean };
  private busy = false;

  constructor(user: UserModel, private readonly options: UserRowOptions) {
    this.user = user;
    this.edit = this.saved();
    this.row = h('tr', { className: 'wb-admin-user', attrs: { 'data-username': user.username } });
    this.message = h('div', { className: 'wb-admin-user-error', attrs: { role: 'alert' } });
    this.messageRow = h('tr', { className: 'wb-admin-user-message', attrs: { 'data-username': user.username } }, [h('td', { attrs: { colspan: String(USER_COLUMNS) } }, [this.message])]);
    this.row.addEventListener('change', this.onChange);
    this.row.addEventListener('click', this.onClick);
    this.render('clean');
  }

  get username(): string {
    return this.user.username;
  }

  get model(): UserModel {
    return this.user;
  }

  private saved(): { roles: Set<string>; disabled: boolean } {
    return { roles: new Set(this.user.roles), disabled: this.user.disabled !== null };
  }

  private get patch(): UserPatch | null {
    const edit: UserEdit = this.edit;
    return userPatch(this.user, edit, this.options.roles);
  }

  private render(state: UserRowState, message: string | null = null): void {
    const u = this.user;
    const roles = orderRoles([...this.options.roles, ...u.roles, ...this.edit.roles], this.options.roles);
    // A token user's access comes from the server's configuration (the server answers 409): shown, not editable.
    const configured = u.source === 'token';
    const isSelf = this.options.self === u.username;
    const disabledNow = this.busy || configured;
    const dirty = this.patch !== null;
    this.row.dataset.state = state;
    this.row.dataset.source = u.source;
    this.row.dataset.rolesSource = u.roles_source;
    this.row.dataset.disabled = String(u.disabled !== null);
    this.row.classList.toggle('wb-mod-disabled-user', u.disabled !== null);

    const rolePicker = h(
      'div',
      { className: 'wb-admin-role-picker', attrs: { role: 'group', 'aria-label': `Roles of ${u.username}` } },
      roles.map((role) => {
        const box = h('input', { attrs: { type: 'checkbox', value: role, 'data-role': role } });
        box.checked = this.edit.roles.has(role);
        box.disabled = disabledNow;
        return h('label', { className: 'wb-admin-role', attrs: { 'data-role': role } }, [box, h('span', {}, [role])]);
      }),
    );
    const canReset = u.roles_source === 'admin' && u.source === 'oidc';
    const sourceLine = h('div', { className: 'wb-admin-roles-source', attrs: { 'data-roles-source': u.roles_source } }, [
      configured
        ? h('span', { className: 'wb-badge wb-admin-badge', title: "This user's token and roles are set in the server's configuration" }, ['set in server configuration'])
        : h('span', { className: `wb-badge wb-admin-badge wb-mod-${u.roles_source === 'admin' ? 'admin-set' : 'provider'}` }, [rolesSourceLabel(u)]),
      canReset
        ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-minimal wb-admin-link-button wb-admin-user-reset', attrs: { type: 'button' }, title: "Go back to the roles the identity provider's groups give" }, ['Reset to provider'])
        : null,
    ]);
    if (canReset) (sourceLine.lastChild as HTMLButtonElement).disabled = disabledNow;

    const disabledBox = h('input', { className: 'wb-admin-user-disabled', attrs: { type: 'checkbox', 'aria-label': `${u.username} is disabled` } });
    disabledBox.checked = this.edit.disabled;
    // Nobody can disable themselves (the server answers 409): another administrator must.
    disabledBox.disabled = disabledNow || (isSelf && !this.edit.disabled);
    if (isSelf) disabledBox.title = 'You cannot disable yourself';

    const save = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-button-small wb-admin-button-small wb-admin-user-save', attrs: { type: 'button' } }, [state === 'saving' ? 'Saving…' : 'Save']);
    save.disabled = !dirty || disabledNow;
    save.hidden = configured;
    const cancel = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-admin-button-small wb-admin-user-cancel', attrs: { type: 'button' } }, ['Cancel']);
    cancel.disabled = disabledNow;
    cancel.hidden = !dirty;

    replaceChildren(this.row, [
      h('td', { className: 'wb-admin-user-cell' }, [
        h('div', { className: 'wb-admin-user-name' }, [u.username, isSelf ? h('span', { className: 'wb-admin-muted' }, [' (you)']) : null]),
        u.display_name && u.display_name !== u.username ? h('div', { className: 'wb-admin-user-display wb-admin-muted' }, [u.display_name]) : null,
        h('span', { className: 'wb-badge wb-admin-badge wb-admin-user-source', attrs: { 'data-source': u.source }, title: SOURCE_TITLES[u.source] }, [userSourceLabel(u.source)]),
      ]),
      h('td', { className: 'wb-admin-user-email', title: u.email ?? undefined }, u.email === null ? [h('span', { className: 'wb-admin-muted' }, ['—'])] : emailParts(u.email)),
      h('td', { className: 'wb-admin-user-roles' }, [rolePicker, sourceLine]),
      h('td', { className: 'wb-admin-user-disabled-cell' }, [h('label', { className: 'wb-admin-check' }, [disabledBox, h('span', {}, ['Disabled'])])]),
      h('td', { className: 'wb-admin-actions wb-admin-user-actions' }, [
        save,
        cancel,
        state === 'saved' ? h('span', { className: 'wb-admin-user-saved', attrs: { role: 'status' } }, ['Saved']) : null,
      ]),
    ]);

    this.message.textContent = message ?? '';
    this.messageRow.hidden = message === null;
  }

  private readonly onChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    if (input.type !== 'checkbox' || this.busy) return;
    if (input.classList.contains('wb-admin-user-disabled')) this.edit.disabled = input.checked;
    else if (input.dataset.role) {
      if (input.checked) this.edit.roles.add(input.dataset.role);
      else this.edit.roles.delete(input.dataset.role);
    }
    this.render(this.patch ? 'dirty' : 'clean');
  };

  private readonly onClick = (event: MouseEvent): void => {
    const button = (event.target as Element).closest('button');
    if (!button || button.disabled) return;
    if (button.classList.contains('wb-admin-user-save')) void this.save();
    else if (button.classList.contains('wb-admin-user-cancel')) this.cancel();
    else if (button.classList.contains('wb-admin-user-reset')) void this.resetToProvider();
  };

  /** Puts the saved values back. */
  cancel(): void {
    this.edit = this.saved();
    this.render('clean');
  }

  /** Sends what changed in this row. */
  save(): Promise<void> {
    const patch = this.patch;
    return patch ? this.send(patch, `update user ${this.user.username}`) : Promise.resolve();
  }

  /** Roles back to the identity provider's group mapping (other edits of the row are kept and sent too). */
  resetToProvider(): Promise<void> {
    const patch: UserPatch = { roles: null };
    const rest = this.patch;
    if (rest?.disabled !== undefined) patch.disabled = rest.disabled;
    return this.send(patch, `reset the roles of ${this.user.username}`);
  }

  private async send(patch: UserPatch, action: string): Promise<void> {
    this.busy = true;
    this.render('saving');
    try {
      const saved = await this.options.save(this.user.username, patch);
      this.user = saved;
      this.edit = this.saved();
      this.busy = false;
      this.render('saved');
    } catch (err) {
      this.busy = false;
      this.render('error', errorText(err, action));
    }
  }

  dispose(): void {
    this.row.removeEventListener('change', this.onChange);
    this.row.removeEventListener('click', this.onClick);
  }
}
