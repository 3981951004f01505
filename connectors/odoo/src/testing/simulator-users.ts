/**
 * The API simulator's users, in Odoo 17's own tables: `res_users` (login,
 * password hashed as passlib's `$pbkdf2-sha512$rounds$salt$hash`, as Odoo
 * stores it) and `res_users_apikeys` (key hashed the same way, looked up by
 * its first 8 characters, `index`). Odoo uses 600,000 rounds for passwords
 * and 6,000 for keys; the simulator uses 1,000 for both, to keep tests fast.
 *
 * `authenticate` answers a uid or false (bad credentials are not an error
 * in Odoo); `check` is `security.check` before each execute_kw.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';

export interface SimulatorUser {
  login: string;
  password?: string;
  /** An API key usable instead of the password (Odoo 14+). */
  apiKey?: string;
  /** Member of account.group_account_manager ("Adviser"): bound by the fiscal-year lock only. Default false. */
  adviser?: boolean;
  /** Default company; default the first one. */
  companyId?: number;
  name?: string;
}

const ROUNDS = 1000;
const ab64 = (b: Buffer) => b.toString('base64').replace(/\+/g, '.').replace(/=+$/, '');
const unab64 = (s: string) => Buffer.from(s.replace(/\./g, '+'), 'base64');

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `$pbkdf2-sha512$${ROUNDS}$${ab64(salt)}$${ab64(pbkdf2Sync(secret, salt, ROUNDS, 64, 'sha512'))}`;
}

export function verifySecret(secret: string, stored: string | null): boolean {
  const m = /^\$pbkdf2-sha512\$(\d+)\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)$/.exec(stored ?? '');
  if (!m) return false;
  const expected = unab64(m[3]!);
  const got = pbkdf2Sync(secret, unab64(m[2]!), Number(m[1]), expected.length, 'sha512');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export class SimUsers {
  private readonly byUid = new Map<number, { login: string; adviser: boolean; companyId: number }>();
  /** Secrets already checked, per uid (sha256 of the secret, never the secret). */
  private readonly verified = new Map<number, Set<string>>();

  private constructor(private readonly pool: Pool) {}

  static async install(pool: Pool, users: readonly SimulatorUser[], now: string): Promise<SimUsers> {
    const self = new SimUsers(pool);
    const db = await pool.connect();
    try {
      await db.query('BEGIN');
      await db.query(`CREATE TABLE IF NOT EXISTS res_users (id SERIAL NOT NULL PRIMARY KEY, login varchar NOT NULL, password varchar, partner_id int4 NOT NULL, company_id int4 NOT NULL,
        active bool, share bool, create_uid int4, create_date timestamp, write_uid int4, write_date timestamp);
        CREATE UNIQUE INDEX IF NOT EXISTS res_users_login_key ON res_users (login);
        COMMENT ON TABLE res_users IS 'User';
        CREATE TABLE IF NOT EXISTS res_users_apikeys (id SERIAL NOT NULL PRIMARY KEY, name varchar NOT NULL, user_id int4 NOT NULL, scope varchar, index varchar(8), key varchar NOT NULL, create_date timestamp);
        CREATE INDEX IF NOT EXISTS res_users_apikeys_index_idx ON res_users_apikeys (index);
        COMMENT ON TABLE res_users_apikeys IS 'Users API Keys'`);
      const company = (await db.query<{ id: number }>('SELECT min(id) AS id FROM res_company')).rows[0]!.id;
      const partner = async (name: string) => (await db.query<{ id: number }>(`INSERT INTO res_partner (name, complete_name, active, is_company, type, commercial_partner_id, create_date, write_date) VALUES ($1, $1, true, false, 'contact', NULL, $2, $2) RETURNING id`, [name, now])).rows[0]!.id;
      if (!(await db.query(`SELECT 1 FROM res_users WHERE login = '__system__'`)).rows.length) {
        await db.query(`INSERT INTO res_users (id, login, partner_id, company_id, active, share, create_date, write_date) VALUES (1, '__system__', $1, $2, false, false, $3, $3)`, [await partner('OdooBot'), company, now]);
        await db.query(`SELECT setval('res_users_id_seq', greatest(1, (SELECT max(id) FROM res_users)))`);
      }
      for (const u of users) {
        const existing = (await db.query<{ id: number }>('SELECT id FROM res_users WHERE login = $1', [u.login])).rows[0];
        const hash = u.password === undefined ? null : hashSecret(u.password);
        const companyId = u.companyId ?? company;
        const uid = existing
          ? (await db.query<{ id: number }>('UPDATE res_users SET password = $2, company_id = $3, active = true, write_date = $4 WHERE id = $1 RETURNING id', [existing.id, hash, companyId, now])).rows[0]!.id
          : (await db.query<{ id: number }>('INSERT INTO res_users (login, password, partner_id, company_id, active, share, create_uid, create_date, write_uid, write_date) VALUES ($1, $2, $3, $4, true, false, 1, $5, 1, $5) RETURNING id', [u.login, hash, await partner(u.name ?? u.login), companyId, now])).rows[0]!.id;
        await db.query('DELETE FROM res_users_apikeys WHERE user_id = $1', [uid]);
        if (u.apiKey) await db.query(`INSERT INTO res_users_apikeys (name, user_id, scope, index, key, create_date) VALUES ('workbench', $1, 'rpc', $2, $3, $4)`, [uid, u.apiKey.slice(0, 8), hashSecret(u.apiKey), now]);
        self.byUid.set(uid, { login: u.login, adviser: u.adviser ?? false, companyId });
      }
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
    return self;
  }

  uidOf(login: string): number | undefined {
    for (const [uid, u] of this.byUid) if (u.login === login) return uid;
    return undefined;
  }

  info(uid: number): { adviser: boolean; companyId: number } {
    return this.byUid.get(uid)!;
  }

  /** `common.authenticate`: the uid, or false. */
  async authenticate(login: string, secret: string): Promise<number | false> {
    const { rows } = await this.pool.query<{ id: number; password: string | null }>('SELECT id, password FROM res_users WHERE login = $1 AND active', [login]);
    const user = rows[0];
    if (!user || !this.byUid.has(user.id)) return false;
    return (await this.matches(user.id, user.password, secret)) ? user.id : false;
  }

  /** `security.check(db, uid, password)` before a call. */
  async check(uid: number, secret: string): Promise<boolean> {
    if (!this.byUid.has(uid)) return false;
    const seen = this.verified.get(uid);
    const digest = createHash('sha256').update(secret).digest('hex');
    if (seen?.has(digest)) return true;
    const { rows } = await this.pool.query<{ password: string | null }>('SELECT password FROM res_users WHERE id = $1 AND active', [uid]);
    if (!rows[0] || !(await this.matches(uid, rows[0].password, secret))) return false;
    this.verified.set(uid, (seen ?? new Set()).add(digest));
    return true;
  }

  private async matches(uid: number, password: string | null, secret: string): Promise<boolean> {
    if (typeof secret !== 'string' || !secret) return false;
    if (verifySecret(secret, password)) return true;
    const { rows } = await this.pool.query<{ key: string }>('SELECT key FROM res_users_apikeys WHERE user_id = $1 AND index = $2', [uid, secret.slice(0, 8)]);
    return rows.some((r) => verifySecret(secret, r.key));
  }
}
