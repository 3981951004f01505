/**
 * The language_info each kernelspec's last kernel gave (migration 0013):
 * what kernels/manager's `notebookMetadata` answers after a restart or on
 * another replica. Written when it changes (a kernel of a new spec, an
 * upgraded interpreter); a row that is not a JSON object reads as none.
 */
import type { Kysely } from './kysely';
import type { Database } from './schema';

export class KernelLanguageInfoRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(kernelspec: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.selectFrom('kernel_language_info').select('language_info').where('kernelspec', '=', kernelspec).executeTakeFirst();
    if (!row) return undefined;
    try {
      const info = JSON.parse(row.language_info) as unknown;
      return info && typeof info === 'object' && !Array.isArray(info) ? (info as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async put(kernelspec: string, info: Record<string, unknown>): Promise<void> {
    const row = { kernelspec, language_info: JSON.stringify(info), updated_at: this.now() };
    await this.db
      .insertInto('kernel_language_info')
      .values(row)
      .onConflict((oc) => oc.column('kernelspec').doUpdateSet({ language_info: row.language_info, updated_at: row.updated_at }))
      .execute();
  }
}
