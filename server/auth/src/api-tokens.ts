/**
 * Personal API tokens: a user makes tokens for VS Code and scripts, which
 * then act as that user with that user's roles (not as the server's admin
 * token). A token is shown once at creation; the store keeps only its
 * SHA-256, so a leaked database does not leak usable tokens. A revoked or
 * expired token, or one whose user was disabled or removed, is refused.
 */
import { AppError } from '@workbench/core';
import { API_TOKEN_PREFIX, ApiTokenRepository, UserRepository, type ApiToken, type MetadataStore } from '@workbench/store';
import { makeUser, type User } from './identity';

export interface ApiTokenResolver {
  /** The user a presented `wbt_…` token acts as, or undefined (unknown, revoked, expired, user disabled). */
  resolve(plaintext: string): Promise<User | undefined>;
}

/** What a client sees of a token: never its hash, the token itself only once. */
export interface ApiTokenModel {
  id: string;
  name: string;
  prefix: string;
  created: string;
  last_used: string | null;
  expires: string | null;
  revoked: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const toApiTokenModel = (t: ApiToken): ApiTokenModel => ({ id: t.id, name: t.name, prefix: t.prefix, created: iso(t.createdAt)!, last_used: iso(t.lastUsedAt), expires: iso(t.expiresAt), revoked: iso(t.revokedAt) });

export function isApiToken(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX);
}

export interface ApiTokensOptions {
  store: MetadataStore;
  clock?: () => number;
}

export class ApiTokens implements ApiTokenResolver {
  private readonly tokens: ApiTokenRepository;
  private readonly users: UserRepository;
  private readonly now: () => number;

  constructor(options: ApiTokensOptions) {
    this.now = options.clock ?? Date.now;
    const clock = { now: this.now };
    this.tokens = new ApiTokenRepository(options.store.db, { clock });
    this.users = new UserRepository(options.store.db, { clock });
  }

  async resolve(plaintext: string): Promise<User | undefined> {
    if (!isApiToken(plaintext) || plaintext.length > 200) return undefined;
    const match = await this.tokens.findByPlaintext(plaintext);
    if (!match || match.status !== 'active' || match.user.roles.length === 0) return undefined;
    await this.tokens.touch(match.token.id, { minIntervalMs: 60_000 });
    return makeUser(match.user.username, match.user.roles, match.user.displayName);
  }

  /** Makes a token for `owner` (a users row is created for a token user the first time). Returns the plaintext once. */
  async create(owner: User, name: string, expiresInDays: number | undefined): Promise<{ token: ApiTokenModel; plaintext: string }> {
    if (!/^[\w .@:/-]{1,100}$/.test(name)) throw new AppError('bad_request', 'Cannot create API token: the name must be 1-100 letters, digits, spaces or _ . @ : / -');
    if (expiresInDays !== undefined && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) {
      throw new AppError('bad_request', 'Cannot create API token: expires_in_days must be an integer from 1 to 3650');
    }
    const stored = (await this.users.getByUsername(owner.username)) ?? (await this.users.create({ username: owner.username, displayName: owner.display_name, roles: owner.roles, source: 'token' }));
    if (stored.disabledAt !== null) throw new AppError('forbidden', `Cannot create API token: user ${owner.username} is disabled`);
    const created = await this.tokens.create({ userId: stored.id, name, expiresAt: expiresInDays === undefined ? null : this.now() + expiresInDays * 86_400_000 });
    return { token: toApiTokenModel(created.token), plaintext: created.plaintext };
  }

  async list(owner: User): Promise<ApiTokenModel[]> {
    const stored = await this.users.getByUsername(owner.username);
    return stored ? (await this.tokens.listForUser(stored.id)).map(toApiTokenModel) : [];
  }

  /** Revokes one of the owner's tokens (an admin may revoke anybody's). */
  async revoke(owner: User, id: string): Promise<ApiTokenModel> {
    const isAdmin = owner.roles.includes('admin');
    const stored = await this.users.getByUsername(owner.username);
    const token = await this.tokens.get(id);
    if (!token || (!isAdmin && token.userId !== stored?.id)) throw new AppError('not_found', `Cannot revoke API token ${id}: no such token of yours`);
    return toApiTokenModel(await this.tokens.revoke(id));
  }
}
