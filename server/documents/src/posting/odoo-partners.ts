/**
 * Odoo's partners as the documents service needs them: all vendors
 * (suppliers and companies) for matching, cached for a minute, and a
 * search by name or VAT number for a reviewer choosing the vendor.
 */
import { AppError, describeError, type Logger } from '@workbench/core';
import type { Partner } from '../validate/vendor-match';
import type { OdooCaller } from './odoo-poster';

export type WithOdoo = <T>(fn: (odoo: OdooCaller, companyId: number | undefined) => Promise<T>) => Promise<T>;

const CACHE_MS = 60_000;

export class OdooPartners {
  private cache: { at: number; list: Partner[] } | undefined;

  constructor(
    private readonly withOdoo: WithOdoo | undefined,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  private search(withOdoo: WithOdoo, domain: unknown[], opts: { limit: number; order?: string }): Promise<Partner[]> {
    return withOdoo(async (odoo, companyId) => {
      const kw: Record<string, unknown> = { fields: ['id', 'name', 'vat'], ...opts };
      if (companyId) kw.context = { allowed_company_ids: [companyId] };
      const rows = (await odoo.call('res.partner', 'search_read', [domain], kw)) as { id: number; name: string; vat: string | false }[];
      return rows.map((p) => ({ id: p.id, name: p.name, vat: p.vat || null }));
    });
  }

  /** Odoo's vendors (suppliers and companies), cached for a minute; undefined when Odoo is not configured or cannot be read. */
  async vendors(): Promise<Partner[] | undefined> {
    if (!this.withOdoo) return undefined;
    if (this.cache && this.now() - this.cache.at < CACHE_MS) return this.cache.list;
    try {
      const list = await this.search(this.withOdoo, ['|', ['supplier_rank', '>', 0], ['is_company', '=', true]], { limit: 20_000 });
      this.cache = { at: this.now(), list };
      return list;
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'documents: cannot read the vendors from Odoo');
      return undefined;
    }
  }

  /** Partners whose name or VAT number contains `q`. */
  async find(q: string, limit = 20): Promise<Partner[]> {
    const term = q.trim();
    if (term.length < 2 || term.length > 100) throw new AppError('bad_request', 'Cannot search Odoo partners: give 2 to 100 characters');
    if (!this.withOdoo) throw new AppError('unavailable', 'Cannot search Odoo partners: no Odoo connection is configured (documents.odoo_connection)');
    return this.search(this.withOdoo, ['|', ['name', 'ilike', term], ['vat', 'ilike', term]], { limit, order: 'name' });
  }
}
