/**
 * Possible duplicates of a bill (the same file twice never gets this far:
 * intake recognises its sha256): another document, not rejected, from the
 * same partner with the same invoice number; or with the same amount,
 * currency, date and partner; or a bill already in Odoo from that partner
 * with that reference (Odoo's own duplicate-reference warning).
 */
import { describeError } from '@workbench/core';
import type { Database, Kysely } from '@workbench/store';
import type { Duplicate } from '../document-rows';
import type { OdooCaller } from '../posting/odoo-poster';

export interface DuplicateQuery {
  id: string;
  partnerId: number | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  total: string | null;
  currency: string | null;
}

const refKey = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

export async function findDuplicates(db: Kysely<Database>, withOdoo: (<T>(fn: (odoo: OdooCaller, companyId: number | undefined) => Promise<T>) => Promise<T>) | undefined, q: DuplicateQuery): Promise<Duplicate[]> {
  if (q.partnerId === null) return [];
  const out: Duplicate[] = [];
  const others = await db
    .selectFrom('documents')
    .select(['id', 'filename', 'invoice_number', 'invoice_date', 'total', 'currency', 'status'])
    .where('partner_id', '=', q.partnerId)
    .where('id', '!=', q.id)
    .where('status', '!=', 'rejected')
    .limit(500)
    .execute();
  for (const o of others) {
    if (q.invoiceNumber && o.invoice_number && refKey(o.invoice_number) === refKey(q.invoiceNumber)) {
      out.push({ reason: 'same_partner_and_ref', documentId: o.id, message: `Possible duplicate: document ${o.filename} (${o.status}) has the same vendor and invoice number ${o.invoice_number}` });
    } else if (q.total && q.invoiceDate && o.total === q.total && o.invoice_date === q.invoiceDate && o.currency === q.currency) {
      out.push({ reason: 'same_amount_date_vendor', documentId: o.id, message: `Possible duplicate: document ${o.filename} (${o.status}) has the same vendor, date ${q.invoiceDate} and amount ${q.total} ${q.currency ?? ''}`.trimEnd() });
    }
  }
  if (withOdoo && q.invoiceNumber) {
    try {
      const bills = await withOdoo(async (odoo, companyId) => {
        const kw: Record<string, unknown> = { fields: ['id', 'name', 'ref', 'narration'], limit: 5 };
        if (companyId) kw.context = { allowed_company_ids: [companyId] };
        return (await odoo.call('account.move', 'search_read', [[['move_type', '=', 'in_invoice'], ['commercial_partner_id', '=', q.partnerId], ['ref', '=ilike', q.invoiceNumber], ['state', '!=', 'cancel']]], kw)) as { id: number; name: string | false; narration: string | false }[];
      });
      // A bill this very document made (its key in the narration) is not a duplicate of it.
      for (const b of bills.filter((b) => !(b.narration || '').includes(`wb-${q.id}`))) {
        out.push({ reason: 'odoo_bill_with_ref', odooId: b.id, message: `Possible duplicate: Odoo already has bill ${b.name || b.id} from this vendor with reference ${q.invoiceNumber}` });
      }
    } catch (err) {
      out.push({ reason: 'odoo_bill_with_ref', message: `Odoo could not be asked for bills with reference ${q.invoiceNumber}: ${describeError(err)}` });
    }
  }
  return out;
}
