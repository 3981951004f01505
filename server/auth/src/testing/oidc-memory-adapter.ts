/**
 * oidc-provider's storage for one provider: its in-memory adapter is
 * process-wide (one LRU shared by every instance), this one dies with the
 * provider. The adapter contract: https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js
 * Expiry is checked on read, so no timers are left behind.
 */
export interface StoredEntry {
  payload: Record<string, unknown>;
  expiresAt: number;
}
export class MemoryAdapter {
  constructor(
    private readonly model: string,
    private readonly entries: Map<string, StoredEntry>,
    private readonly index: Map<string, Set<string>>,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    this.entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    for (const [kind, value] of [['grant', payload.grantId], ['uid', payload.uid], ['userCode', payload.userCode]] as const) {
      if (typeof value !== 'string') continue;
      const ref = `${kind}:${value}`;
      this.index.set(ref, (this.index.get(ref) ?? new Set()).add(key));
    }
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    return this.get(this.key(id));
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    return this.byIndex(`uid:${uid}`);
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    return this.byIndex(`userCode:${userCode}`);
  }

  async consume(id: string): Promise<void> {
    const entry = this.get(this.key(id));
    if (entry) entry.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.index.get(`grant:${grantId}`) ?? []) this.entries.delete(key);
    this.index.delete(`grant:${grantId}`);
  }

  private byIndex(ref: string): Record<string, unknown> | undefined {
    const prefix = `${this.model}:`;
    for (const key of this.index.get(ref) ?? []) if (key.startsWith(prefix)) return this.get(key);
    return undefined;
  }

  private get(key: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }
}
