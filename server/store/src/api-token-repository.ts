/**
 * Personal API tokens. The plaintext is returned once, at creation; only
 * its sha256 (hex) is stored, so a stolen database yields no usable token.
 * A token is found by hashing what the client presents and looking the
 * hash up (an indexed equality on a hash of 256 random bits: its timing
 * tells an attacker nothing). Format: `wbt_` + 43 base64url characters
 * (32 random bytes); the prefix kept for lists is the first 12 characters.
 */
import { createHash, randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';
import { AppError, systemClock, type Clock } from '@workbench/core';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors';
import type { Kysely, Selectable } from './kysely';
import type { ApiTokensTable, Database, EpochMs } from './schema';
import { toUser, type RepositoryOptions, type User } from './user-repository';

export const API_TOKEN_PREFIX = 'wbt_';
const SHOWN_PREFIX_LENGTH = 12;

/** A token as listed: never its hash or plaintext. */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: EpochMs;
  lastUsedAt: EpochMs | null;
  expiresAt: EpochMs | null;
  revokedAt: EpochMs | null;
}

export interface CreatedApiToken {
  token: ApiToken;
  /** Shown to the user once; not recoverable later. */
  plaintext: string;
}

export type ApiTokenStatus = 'active' | 'revoked' | 'expired' | 'user_disabled';

export interface ApiTokenMatch {
  token: ApiToken;
  user: User;
  /** Only 'active' authenticates; the others say why not (for the audit log). */
  status: ApiTokenStatus;
}

export interface ApiTokenRepositoryOptions extends RepositoryOptions {
  /** Default crypto.randomBytes. */
  randomBytes?: (size: number) => Buffer;
}

export function hashApiToken(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

const LISTED = ['id', 'user_id', 'name', 'prefix', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'] as const;

export class ApiTokenRepository {
  private readonly clock: Clock;
  private readonly randomBytes: (size: number) => Buffer;

  /** `db` may be the store's db or a transaction of it. */
  constructor(
    private readonly db: Kysely<Database>,
    options: ApiTokenRepositoryOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.randomBytes = options.randomBytes ?? nodeRandomBytes;
  }

  /** Throws AppError('not_found') for an unknown user, AppError('conflict') if the token's hash exists. */
  async create(input: { userId: string; name: string; expiresAt?: EpochMs | null }): Promise<CreatedApiToken> {
    const plaintext = API_TOKEN_PREFIX + this.randomBytes(32).toString('base64url');
    const row: Selectable<ApiTokensTable> = {
      id: randomUUID(),
      user_id: input.userId,
      name: input.name,
      token_hash: hashApiToken(plaintext),
      prefix: plaintext.slice(0, SHOWN_PREFIX_LENGTH),
      created_at: this.clock.now(),
      last_used_at: null,
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
    };
    try {
      await this.db.insertInto('api_tokens').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `Cannot create API token ${input.name}: a token with the same hash exists`, { cause: err });
      if (isForeignKeyViolation(err)) throw new AppError('not_found', `Cannot create API token ${input.name}: no user ${input.userId}`, { cause: err });
      throw err;
    }
    return { token: toApiToken(row), plaintext };
  }

  /** The token the client presented, with its owner and whether it may be used now; undefined if unknown. */
  async findByPlaintext(plaintext: string): Promise<ApiTokenMatch | undefined> {
    const row = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('u')
      .select([
        't.id as token_id',
        't.name as token_name',
        't.prefix as token_prefix',
        't.created_at as token_created_at',
        't.last_used_at as token_last_used_at',
        't.expires_at as token_expires_at',
        't.revoked_at as token_revoked_at',
      ])
      .where('t.token_hash', '=', hashApiToken(plaintext))
      .executeTakeFirst();
    if (!row) return undefined;
    const token: ApiToken = {
      id: row.token_id,
      userId: row.id,
      name: row.token_name,
      prefix: row.token_prefix,
      createdAt: row.token_created_at,
      lastUsedAt: row.token_last_used_at,
      expiresAt: row.token_expires_at,
      revokedAt: row.token_revoked_at,
    };
    const user = toUser(row);
    const now = this.clock.now();
    const status: ApiTokenStatus =
      token.revokedAt !== null ? 'revoked'
      : token.expiresAt !== null && token.expiresAt <= now ? 'expired'
      : user.disabledAt !== null ? 'user_disabled'
      : 'active';
    return { token, user, status };
  }

  /** The user's tokens, newest first, without hashes. */
  async listForUser(userId: string): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').select(LISTED).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toApiToken);
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const row = await this.db.selectFrom('api_tokens').select(LISTED).where('id', '=', id).executeTakeFirst();
    return row && toApiToken(row);
  }

  /**
   * Idempotent (a revoked token keeps its first revocation time). With
   * `userId`, only that user's token: another user's id is not_found.
   */
  async revoke(id: string, options: { userId?: string } = {}): Promise<ApiToken> {
    let q = this.db.updateTable('api_tokens').set({ revoked_at: this.clock.now() }).where('id', '=', id).where('revoked_at', 'is', null);
    if (options.userId !== undefined) q = q.where('user_id', '=', options.userId);
    await q.execute();
    const token = await this.get(id);
    if (!token || (options.userId !== undefined && token.userId !== options.userId)) {
      throw new AppError('not_found', `Cannot revoke API token ${id}: no such token`);
    }
    return token;
  }

  /**
   * Records a use. Writes at most once per `minIntervalMs` per token (default
   * a minute) so authenticating every request is not a write per request.
   * Returns whether it wrote.
   */
  async touch(id: string, options: { minIntervalMs?: number } = {}): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - (options.minIntervalMs ?? 60_000))]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toApiToken(row: Omit<Selectable<ApiTokensTable>, 'token_hash'>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
