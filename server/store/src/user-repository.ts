/**
 * Users: who may sign in, with which roles, linked to which identity
 * source. Role names are opaque strings here (server/auth owns their
 * meaning); usernames are unique and compared exactly (case-sensitive).
 */
import { randomUUID } from 'node:crypto';
import { AppError, systemClock, type Clock } from '@workbench/core';
import { isUniqueViolation } from './db-errors';
import { sql, type Kysely, type Selectable } from './kysely';
import type { Database, EpochMs, RolesSource, UserSource, UsersTable } from './schema';

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  roles: string[];
  /** 'admin': an administrator set the roles and identity-provider logins leave them alone. */
  rolesSource: RolesSource;
  source: UserSource;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  disabledAt: EpochMs | null;
}

export interface NewUser {
  username: string;
  /** Defaults to the username. */
  displayName?: string;
  email?: string | null;
  roles?: readonly string[];
  source: UserSource;
  /** Required when source is 'oidc'; (issuer, subject) is unique. */
  oidc?: { issuer: string; subject: string };
}

export interface RepositoryOptions {
  /** Epoch milliseconds. Default systemClock. */
  clock?: Clock;
}

export class UserRepository {
  private readonly clock: Clock;

  /** `db` may be the store's db or a transaction of it. */
  constructor(
    private readonly db: Kysely<Database>,
    options: RepositoryOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Throws AppError('conflict') when the username or the OIDC identity is taken. */
  async create(input: NewUser): Promise<User> {
    if (input.username === '') throw new AppError('bad_request', 'Cannot create user: the username is empty');
    if (input.source === 'oidc' && input.oidc === undefined) {
      throw new AppError('bad_request', `Cannot create user ${input.username}: an OIDC user needs an issuer and a subject`);
    }
    // Precise messages for the common case; the insert's constraint still decides races.
    if (await this.getByUsername(input.username)) {
      throw new AppError('conflict', `Cannot create user ${input.username}: the username is taken`);
    }
    if (input.oidc && (await this.getByOidcSubject(input.oidc.issuer, input.oidc.subject))) {
      throw new AppError('conflict', `Cannot create user ${input.username}: the OIDC identity is linked to another user`);
    }
    const at = this.clock.now();
    const row: Selectable<UsersTable> = {
      id: randomUUID(),
      username: input.username,
      display_name: input.displayName ?? input.username,
      email: input.email ?? null,
      roles: JSON.stringify([...(input.roles ?? [])]),
      roles_source: 'provider',
      provider_roles: JSON.stringify([...(input.roles ?? [])]),
      source: input.source,
      oidc_issuer: input.oidc?.issuer ?? null,
      oidc_subject: input.oidc?.subject ?? null,
      created_at: at,
      updated_at: at,
      disabled_at: null,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('conflict', `Cannot create user ${input.username}: the username or OIDC identity is taken`, { cause: err });
      }
      throw err;
    }
    return toUser(row);
  }

  async getById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async getByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  async getByOidcSubject(issuer: string, subject: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('oidc_issuer', '=', issuer)
      .where('oidc_subject', '=', subject)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Ordered by username, in the database's collation. */
  async list(options: { includeDisabled?: boolean } = {}): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('username');
    if (options.includeDisabled === false) q = q.where('disabled_at', 'is', null);
    return (await q.execute()).map(toUser);
  }

  /**
   * Replaces the roles the identity provider gives the user. A user whose
   * roles an administrator set keeps them (rolesSource 'admin').
   */
  async setRoles(id: string, roles: readonly string[]): Promise<User> {
    const text = JSON.stringify([...roles]);
    const at = this.clock.now();
    await this.db
      .updateTable('users')
      .set({ provider_roles: text, roles: sql<string>`case when roles_source = 'provider' then ${text} else roles end`, updated_at: at })
      .where('id', '=', id)
      .execute();
    return this.require(id, 'set the roles of');
  }

  /**
   * An administrator's decision: `roles` replace whatever the provider says
   * until `null` hands the user back to the provider, whose last word
   * applies at once (the next login or refresh brings its newest).
   */
  async setRolesByAdmin(id: string, roles: readonly string[] | null): Promise<User> {
    const at = this.clock.now();
    if (roles === null) {
      await this.db
        .updateTable('users')
        .set({ roles: sql<string>`coalesce(provider_roles, roles)`, roles_source: 'provider', updated_at: at })
        .where('id', '=', id)
        .execute();
    } else {
      await this.db
        .updateTable('users')
        .set({ roles: JSON.stringify([...roles]), roles_source: 'admin', updated_at: at })
        .where('id', '=', id)
        .execute();
    }
    return this.require(id, 'set the roles of');
  }

  /** Refreshes what the identity provider says about the user (e.g. at each OIDC login). */
  async updateProfile(id: string, profile: { displayName?: string; email?: string | null }): Promise<User> {
    return this.update(id, 'update the profile of', {
      ...(profile.displayName !== undefined && { display_name: profile.displayName }),
      ...(profile.email !== undefined && { email: profile.email }),
    });
  }

  /** Idempotent: a disabled user keeps the time it was first disabled. */
  async disable(id: string): Promise<User> {
    const at = this.clock.now();
    await this.db.updateTable('users').set({ disabled_at: at, updated_at: at }).where('id', '=', id).where('disabled_at', 'is', null).execute();
    return this.require(id, 'disable');
  }

  async enable(id: string): Promise<User> {
    const at = this.clock.now();
    await this.db.updateTable('users').set({ disabled_at: null, updated_at: at }).where('id', '=', id).where('disabled_at', 'is not', null).execute();
    return this.require(id, 'enable');
  }

  private async update(id: string, action: string, set: Partial<Pick<UsersTable, 'roles' | 'display_name' | 'email'>>): Promise<User> {
    await this.db
      .updateTable('users')
      .set({ ...set, updated_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
    return this.require(id, action);
  }

  private async require(id: string, action: string): Promise<User> {
    const user = await this.getById(id);
    if (!user) throw new AppError('not_found', `Cannot ${action} user ${id}: no such user`);
    return user;
  }
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    roles: parseRoles(row.id, row.roles),
    rolesSource: row.roles_source,
    source: row.source,
    oidcIssuer: row.oidc_issuer,
    oidcSubject: row.oidc_subject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
  };
}

function parseRoles(id: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((r): r is string => typeof r === 'string')) {
    throw new AppError('internal', `Cannot read user ${id}: its roles are not a JSON array of strings`);
  }
  return value;
}
