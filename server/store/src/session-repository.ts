/**
 * Login sessions (SSO): one row per browser sign-in. The row's id is the
 * SHA-256 of the secret the browser holds in its cookie, so the table alone
 * (a backup, a read replica) cannot be used to sign in. Tokens from the
 * identity provider are stored encrypted by the caller (server/secrets);
 * this repository never sees them in plaintext.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '@workbench/core';
import type { Kysely, Selectable } from './kysely';
import type { Database, EpochMs, SessionsTable } from './schema';
import { toUser, type RepositoryOptions, type User } from './user-repository';

export interface Session {
  id: string;
  userId: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
  lastSeenAt: EpochMs;
  revokedAt: EpochMs | null;
  accessExpiresAt: EpochMs | null;
  refreshTokenCiphertext: string | null;
  idTokenHintCiphertext: string | null;
  userAgent: string | null;
  ip: string | null;
}

export interface NewSession {
  /** The cookie's secret; only its hash is stored (see `sessionIdOf`). */
  secret: string;
  userId: string;
  expiresAt: EpochMs;
  accessExpiresAt?: EpochMs | null;
  /** Produced by `ciphertexts(id)` once the row id is known (ciphertexts are bound to it). */
  ciphertexts?: (id: string) => { refreshToken: string | null; idTokenHint: string | null };
  userAgent?: string | null;
  ip?: string | null;
}

/** The row id of the session whose cookie holds `secret`. */
export function sessionIdOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export class SessionRepository {
  private readonly clock: Clock;

  /** `db` may be the store's db or a transaction of it. */
  constructor(
    private readonly db: Kysely<Database>,
    options: RepositoryOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async create(input: NewSession): Promise<Session> {
    const id = sessionIdOf(input.secret);
    const at = this.clock.now();
    const c = input.ciphertexts?.(id) ?? { refreshToken: null, idTokenHint: null };
    const row: Selectable<SessionsTable> = {
      id,
      user_id: input.userId,
      created_at: at,
      expires_at: input.expiresAt,
      last_seen_at: at,
      revoked_at: null,
      refresh_token_ciphertext: c.refreshToken,
      id_token_hint_ciphertext: c.idTokenHint,
      user_agent: input.userAgent?.slice(0, 256) ?? null,
      ip: input.ip ?? null,
      access_expires_at: input.accessExpiresAt ?? null,
    };
    await this.db.insertInto('sessions').values(row).execute();
    return toSession(row);
  }

  /** The session and its user, by the cookie's secret; whether it is still valid is the caller's decision. */
  async findBySecret(secret: string): Promise<{ session: Session; user: User } | undefined> {
    const id = sessionIdOf(secret);
    const session = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!session) return undefined;
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
    return user ? { session: toSession(session), user: toUser(user) } : undefined;
  }

  /** New provider tokens after a refresh (ciphertexts as in `create`); only while the session is not revoked. Returns false when it was. */
  async updateTokens(id: string, update: { accessExpiresAt: EpochMs | null; refreshTokenCiphertext: string | null; idTokenHintCiphertext?: string | null }): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({
        access_expires_at: update.accessExpiresAt,
        refresh_token_ciphertext: update.refreshTokenCiphertext,
        ...(update.idTokenHintCiphertext !== undefined && { id_token_hint_ciphertext: update.idTokenHintCiphertext }),
        last_seen_at: this.clock.now(),
      })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Live sessions (not revoked, not expired) with their encrypted columns, for a key rotation. */
  async listSealed(): Promise<{ id: string; refreshTokenCiphertext: string | null; idTokenHintCiphertext: string | null }[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'refresh_token_ciphertext', 'id_token_hint_ciphertext'])
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', this.clock.now())
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, refreshTokenCiphertext: r.refresh_token_ciphertext, idTokenHintCiphertext: r.id_token_hint_ciphertext }));
  }

  /**
   * Replace a session's encrypted columns only if they still hold `expected`
   * (a refresh that stored new tokens meanwhile wins). Returns whether it did.
   */
  async replaceSealed(id: string, expected: { refreshTokenCiphertext: string | null; idTokenHintCiphertext: string | null }, next: { refreshTokenCiphertext: string | null; idTokenHintCiphertext: string | null }): Promise<boolean> {
    let q = this.db
      .updateTable('sessions')
      .set({ refresh_token_ciphertext: next.refreshTokenCiphertext, id_token_hint_ciphertext: next.idTokenHintCiphertext })
      .where('id', '=', id);
    q = expected.refreshTokenCiphertext === null ? q.where('refresh_token_ciphertext', 'is', null) : q.where('refresh_token_ciphertext', '=', expected.refreshTokenCiphertext);
    q = expected.idTokenHintCiphertext === null ? q.where('id_token_hint_ciphertext', 'is', null) : q.where('id_token_hint_ciphertext', '=', expected.idTokenHintCiphertext);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Idempotent: a revoked session keeps the time it was first revoked; its provider tokens are erased. */
  async revoke(id: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: this.clock.now(), refresh_token_ciphertext: null })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Every live session of a user (e.g. when an administrator disables them). */
  async revokeAllForUser(userId: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: this.clock.now(), refresh_token_ciphertext: null })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

function toSession(row: Selectable<SessionsTable>): Session {
  const num = (v: EpochMs | null) => (v === null ? null : Number(v));
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    lastSeenAt: Number(row.last_seen_at),
    revokedAt: num(row.revoked_at),
    accessExpiresAt: num(row.access_expires_at),
    refreshTokenCiphertext: row.refresh_token_ciphertext,
    idTokenHintCiphertext: row.id_token_hint_ciphertext,
    userAgent: row.user_agent,
    ip: row.ip,
  };
}
