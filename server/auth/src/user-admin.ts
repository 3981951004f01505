/**
 * Users and roles as an administrator manages them (/api/users): list
 * everyone who has signed in with SSO or holds API tokens, set a user's
 * roles (kept across SSO logins until handed back to the identity
 * provider), disable and enable accounts. The rules that keep the server
 * manageable are here, not in the HTTP layer:
 *
 * - only the four Workbench roles can be given;
 * - a token user's identity comes from the server's configuration (its
 *   token is in a file or the command line), so its row cannot be changed
 *   here (409): change the configuration instead;
 * - an administrator cannot take away their own admin role or disable
 *   themselves (409): another administrator must.
 */
import { AppError } from '@workbench/core';
import { SessionRepository, UserRepository, type MetadataStore, type User as StoredUser } from '@workbench/store';
import type { User } from './identity';
import { isRole, ROLES } from './permissions';

export interface UserModel {
  username: string;
  display_name: string;
  email: string | null;
  roles: string[];
  roles_source: 'provider' | 'admin';
  source: 'oidc' | 'token' | 'local';
  disabled: string | null;
  created: string;
  updated: string;
}

export interface UserChange {
  /** New roles, or null: back to the identity provider's. */
  roles?: readonly string[] | null;
  disabled?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toUserModel(u: StoredUser): UserModel {
  return {
    username: u.username,
    display_name: u.displayName,
    email: u.email,
    roles: u.roles,
    roles_source: u.rolesSource,
    source: u.source,
    disabled: u.disabledAt === null ? null : iso(u.disabledAt),
    created: iso(u.createdAt),
    updated: iso(u.updatedAt),
  };
}

export interface UserAdminOptions {
  store: MetadataStore;
  /** The users whose identity the server's configuration defines (token users). */
  configuredUsernames: () => readonly string[];
  clock?: () => number;
}

export class UserAdmin {
  private readonly users: UserRepository;
  private readonly sessions: SessionRepository;

  constructor(private readonly options: UserAdminOptions) {
    const now = options.clock ?? Date.now;
    this.users = new UserRepository(options.store.db, { clock: { now } });
    this.sessions = new SessionRepository(options.store.db, { clock: { now } });
  }

  readonly roles = ROLES;

  async list(): Promise<UserModel[]> {
    return (await this.users.list()).map(toUserModel);
  }

  async get(username: string): Promise<UserModel> {
    return toUserModel(await this.require(username));
  }

  /** Applies `change` as `actor` (an admin); returns the user before and after. */
  async change(actor: User, username: string, change: UserChange): Promise<{ before: UserModel; after: UserModel }> {
    if (change.roles !== undefined && change.roles !== null) {
      const unknown = change.roles.filter((r) => !isRole(r));
      if (unknown.length > 0) throw new AppError('bad_request', `Cannot change ${username}: unknown role ${JSON.stringify(unknown[0])}; roles are ${ROLES.join(', ')}`);
      if (new Set(change.roles).size !== change.roles.length) throw new AppError('bad_request', `Cannot change ${username}: a role is listed twice`);
    }
    if (this.options.configuredUsernames().includes(username)) {
      throw new AppError('conflict', `Cannot change ${username}: a token user's access comes from the server's configuration; change it there`);
    }
    const user = await this.require(username);
    if (user.source === 'token') {
      throw new AppError('conflict', `Cannot change ${username}: a token user's access comes from the server's configuration; change it there`);
    }
    if (username === actor.username) {
      if (change.disabled === true) throw new AppError('conflict', 'Cannot disable yourself: ask another administrator');
      if (change.roles !== undefined && !(change.roles ?? user.roles).includes('admin')) throw new AppError('conflict', 'Cannot remove your own admin role: ask another administrator');
    }
    const before = toUserModel(user);
    let after = user;
    if (change.roles !== undefined) after = await this.users.setRolesByAdmin(user.id, change.roles === null ? null : [...change.roles].sort((a, b) => ROLES.indexOf(a as never) - ROLES.indexOf(b as never)));
    if (change.disabled === true) {
      after = await this.users.disable(user.id);
      // Signed out everywhere now (API tokens are refused while the account is disabled).
      await this.sessions.revokeAllForUser(user.id);
    }
    if (change.disabled === false) after = await this.users.enable(user.id);
    return { before, after: toUserModel(after) };
  }

  private async require(username: string): Promise<StoredUser> {
    const user = await this.users.getByUsername(username);
    if (!user) throw new AppError('not_found', `Cannot find user ${username}: nobody by that name has signed in or holds a token`);
    return user;
  }
}
