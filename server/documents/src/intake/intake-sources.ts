/**
 * The senders allowed to post documents to the intake webhook, each with
 * its own HMAC secret (kept encrypted in the secret store as
 * `intake/<name>`; answered once when made or rotated). A delivery is
 * signed as pipeline webhooks are (X-Workbench-Signature: t=..,v1=..,
 * core/webhook-signature.ts) and is good once: its signature is remembered
 * for twice the time window, so the same delivery sent again is refused
 * even while its timestamp is still fresh.
 */
import { randomBytes } from 'node:crypto';
import { AppError, SIGNATURE_TOLERANCE_S, verifyWebhookSignature } from '@workbench/core';
import { isUniqueViolation, type MetadataStore } from '@workbench/store';
import type { SecretStore } from '@workbench/secrets';

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export class IntakeSources {
  constructor(
    private readonly store: MetadataStore,
    private readonly secrets: SecretStore,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<{ name: string; createdAt: string; createdBy: string; rotatedAt: string }[]> {
    const rows = await this.store.db.selectFrom('intake_sources').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, rotatedAt: new Date(r.rotated_at).toISOString() }));
  }

  /** Makes the source, or gives it a new secret (the old one stops working); answers the secret this once. */
  async rotate(name: string, by: string): Promise<{ name: string; secret: string }> {
    if (!NAME.test(name)) throw new AppError('bad_request', 'Cannot set the intake source: its name must be lowercase letters, digits, _ and -, starting with a letter (at most 63)');
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.secrets.put(`intake/${name}`, secret, by);
    const at = this.now();
    const existing = await this.store.db.selectFrom('intake_sources').select('name').where('name', '=', name).executeTakeFirst();
    if (existing) await this.store.db.updateTable('intake_sources').set({ rotated_at: at }).where('name', '=', name).execute();
    else await this.store.db.insertInto('intake_sources').values({ name, created_at: at, created_by: by, rotated_at: at }).execute();
    return { name, secret };
  }

  async remove(name: string): Promise<void> {
    const r = await this.store.db.deleteFrom('intake_sources').where('name', '=', name).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', `Cannot remove intake source ${JSON.stringify(name.slice(0, 64))}: there is none`);
    await this.secrets.delete(`intake/${name}`);
  }

  /** The source's name when `header` is its fresh, unused signature of `body`; 403 otherwise. */
  async verify(name: string, header: string | undefined, body: Buffer): Promise<string> {
    const refuse = (why: string) => new AppError('unauthenticated', `Cannot accept the document: ${why}`);
    if (!NAME.test(name)) throw refuse('X-Workbench-Source is missing or not a source name');
    const known = await this.store.db.selectFrom('intake_sources').select('name').where('name', '=', name).executeTakeFirst();
    if (!known) throw refuse(`no intake source ${JSON.stringify(name)}`);
    const secret = await this.secrets.get(`intake/${name}`);
    const check = verifyWebhookSignature(secret, header, body, Math.floor(this.now() / 1000));
    if (!check.ok) throw refuse(check.reason);
    const at = this.now();
    await this.store.db.deleteFrom('intake_signatures').where('at', '<', at - 2 * SIGNATURE_TOLERANCE_S * 1000).execute();
    try {
      await this.store.db.insertInto('intake_signatures').values({ signature: `${name}:${header!.trim()}`, at }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw refuse('this delivery was received before (a replayed signature)');
      throw err;
    }
    return name;
  }
}
