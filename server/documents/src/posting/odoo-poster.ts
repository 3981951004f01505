/**
 * An approved document becomes one Odoo vendor bill (account.move,
 * move_type in_invoice, in draft for the accountant to post), through the
 * external API's execute_kw.
 *
 * Exactly once: Odoo has no idempotency keys, so the bill carries ours in
 * its narration ("workbench-document-key: <key>"). Before creating, the
 * poster looks for a bill with that key; a retry after a crash, a timeout
 * whose create did go through, or a replay of a dead letter finds it and
 * adopts it instead of creating a second. The key is made once per
 * document and kept (documents.posting_key), so every attempt looks for
 * the same one.
 *
 * Taxes: the bill's tax is matched to a purchase tax of the company whose
 * percentage gives the extracted tax on the lines (to the cent); none
 * matching is an error the reviewer can read (a dead letter), not a bill
 * with a wrong tax.
 */
import { AppError } from '@workbench/core';

/** What the poster needs of an Odoo session (OdooSession satisfies it). */
export interface OdooCaller {
  call(model: string, method: string, args?: readonly unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
}

export interface BillToPost {
  documentId: string;
  key: string;
  partnerId: number;
  invoiceNumber: string;
  invoiceDate: string;
  dueDate: string | null;
  currency: string;
  subtotal: string | null;
  tax: string | null;
  total: string;
  lines: { description: string; quantity: string | null; unit_price: string | null; amount: string | null }[];
  /** A link back to the document (shown in the bill's narration). */
  link?: string;
}

export interface PostedBill {
  model: 'account.move';
  id: number;
  name: string | false;
  /** True when the bill was already there (an earlier attempt made it). */
  adopted: boolean;
  amountTotal: number;
}

export const keyMarker = (key: string) => `workbench-document-key: ${key}`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class OdooPoster {
  constructor(
    private readonly odoo: OdooCaller,
    private readonly opts: { companyId?: number } = {},
  ) {}

  private kw(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return this.opts.companyId ? { ...extra, context: { allowed_company_ids: [this.opts.companyId] } } : extra;
  }

  /** The bill already made for `key`, if any. */
  async find(key: string): Promise<PostedBill | undefined> {
    const rows = (await this.odoo.call('account.move', 'search_read', [[['move_type', '=', 'in_invoice'], ['narration', 'ilike', keyMarker(key)]]], this.kw({ fields: ['id', 'name', 'amount_total'], limit: 2 }))) as { id: number; name: string | false; amount_total: number }[];
    if (rows.length > 1) throw new AppError('conflict', `Cannot post the document: Odoo holds ${rows.length} bills with key ${key} (ids ${rows.map((r) => r.id).join(', ')}); resolve it in Odoo`);
    const r = rows[0];
    return r ? { model: 'account.move', id: r.id, name: r.name, adopted: true, amountTotal: r.amount_total } : undefined;
  }

  async post(bill: BillToPost): Promise<PostedBill> {
    const found = await this.find(bill.key);
    if (found) return found;
    const currencyId = await this.currencyId(bill.currency);
    const taxIds = await this.taxIds(bill);
    const lines = bill.lines.length > 0 ? bill.lines : [{ description: `Bill ${bill.invoiceNumber}`, quantity: '1', unit_price: bill.subtotal ?? bill.total, amount: bill.subtotal ?? bill.total }];
    const invoiceLines = lines.map((l) => {
      const qty = l.quantity !== null && Number(l.quantity) > 0 ? Number(l.quantity) : 1;
      const price = l.unit_price !== null && l.quantity !== null ? Number(l.unit_price) : Number(l.amount ?? 0) / qty;
      return [0, 0, { name: l.description || '/', quantity: qty, price_unit: price, tax_ids: [[6, 0, taxIds]] }];
    });
    const narration = `<p>${escapeHtml(keyMarker(bill.key))}</p><p>Workbench document ${escapeHtml(bill.documentId)}${bill.link ? ` <a href="${escapeHtml(bill.link)}">${escapeHtml(bill.link)}</a>` : ''}</p>`;
    const vals: Record<string, unknown> = {
      move_type: 'in_invoice',
      partner_id: bill.partnerId,
      ref: bill.invoiceNumber,
      invoice_date: bill.invoiceDate,
      currency_id: currencyId,
      narration,
      invoice_line_ids: invoiceLines,
    };
    if (bill.dueDate) vals.invoice_date_due = bill.dueDate;
    if (this.opts.companyId) vals.company_id = this.opts.companyId;
    const id = (await this.odoo.call('account.move', 'create', [vals], this.kw())) as number;
    const [made] = (await this.odoo.call('account.move', 'read', [[id]], this.kw({ fields: ['name', 'amount_total'] }))) as { name: string | false; amount_total: number }[];
    return { model: 'account.move', id, name: made?.name ?? false, adopted: false, amountTotal: made?.amount_total ?? Number(bill.total) };
  }

  private async currencyId(code: string): Promise<number> {
    const rows = (await this.odoo.call('res.currency', 'search_read', [[['name', '=', code]]], this.kw({ fields: ['id'], limit: 1 }))) as { id: number }[];
    if (!rows[0]) throw new AppError('bad_request', `Cannot post the document: Odoo has no currency ${code}`);
    return rows[0].id;
  }

  /** The purchase tax whose rate turns the lines' amounts into the bill's tax, or none for a bill without tax. */
  private async taxIds(bill: BillToPost): Promise<number[]> {
    const tax = Math.round(Number(bill.tax ?? 0) * 100);
    if (tax === 0) return [];
    const amounts = bill.lines.length > 0 ? bill.lines.map((l) => Math.round(Number(l.amount ?? 0) * 100)) : [Math.round(Number(bill.subtotal ?? Number(bill.total) - tax / 100) * 100)];
    const base = amounts.reduce((a, b) => a + b, 0);
    const domain: unknown[] = [['type_tax_use', '=', 'purchase'], ['amount_type', '=', 'percent']];
    if (this.opts.companyId) domain.push(['company_id', '=', this.opts.companyId]);
    const taxes = (await this.odoo.call('account.tax', 'search_read', [domain], this.kw({ fields: ['id', 'name', 'amount'] }))) as { id: number; name: string; amount: number }[];
    // Odoo rounds the tax per line (round_per_line) by default.
    const fits = taxes.filter((t) => {
      const perLine = amounts.reduce((s, a) => s + Math.round((a * t.amount) / 100), 0);
      const global = Math.round((base * t.amount) / 100);
      return perLine === tax || global === tax;
    });
    if (fits.length === 0) {
      const rate = base > 0 ? ((tax / base) * 100).toFixed(2) : '?';
      throw new AppError('bad_request', `Cannot post the document: no purchase tax in Odoo gives ${(tax / 100).toFixed(2)} on ${(base / 100).toFixed(2)} (about ${rate}%); the purchase taxes are ${taxes.map((t) => `${t.name} (${t.amount}%)`).join(', ') || 'none'}`);
    }
    return [fits[0]!.id];
  }
}
