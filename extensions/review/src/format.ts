/**
 * How documents read on screen: statuses, amounts, confidences, why a
 * document waits, times, and each step of its history in words. Pure; the
 * clock and locale come in as arguments so output is deterministic under
 * test.
 */
import type { Correction, DocumentEvent, DocumentStatus, DocumentView, FieldName, Partner, VendorMatch } from './types';

/** Below this a field's confidence is flagged (the server's default review threshold). */
export const LOW_CONFIDENCE = 0.85;

const STATUS_LABELS: Record<DocumentStatus, string> = {
  received: 'Received',
  extracting: 'Reading',
  needs_review: 'Needs review',
  approved: 'Approved',
  posting: 'Posting',
  posted: 'Posted',
  rejected: 'Rejected',
  failed: 'Failed',
};

export function statusLabel(status: DocumentStatus): string {
  return STATUS_LABELS[status];
}

const FIELD_LABELS: Record<FieldName, string> = {
  vendor: 'Vendor',
  vendor_vat: 'Vendor VAT number',
  invoice_number: 'Invoice number',
  invoice_date: 'Invoice date',
  due_date: 'Due date',
  currency: 'Currency',
  subtotal: 'Subtotal',
  tax: 'Tax',
  total: 'Total',
};

export function fieldLabel(name: FieldName | string): string {
  return FIELD_LABELS[name as FieldName] ?? (name === 'lines' ? 'Line items' : name === 'partner' ? 'Odoo vendor' : name);
}

/** "1,234.50 EUR" (grouping per locale, 2 to 4 decimals); the text as it is when it is not a canonical amount; "—" for none. */
export function formatAmount(value: string | null, currency: string | null = null, locale?: string): string {
  if (value === null || value === '') return '—';
  const cur = currency ? ` ${currency}` : '';
  if (!/^-?\d{1,12}(\.\d{1,4})?$/.test(value)) return `${value}${cur}`;
  const n = Number(value);
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(n)}${cur}`;
}

/** "87%" (rounded down, so 84.6% never reads as the threshold 85%); "—" for none. */
export function formatConfidence(c: number | null): string {
  if (c === null || !Number.isFinite(c)) return '—';
  return `${Math.floor(Math.max(0, Math.min(1, c)) * 100)}%`;
}

export function isLowConfidence(c: number | null, threshold = LOW_CONFIDENCE): boolean {
  return c !== null && c < threshold;
}

/** The first reason a document waits and how many more: "Total read with 61% confidence (below 85%)" + " (+2 more)". */
export function reasonSummary(reasons: readonly string[]): { first: string; more: number; text: string } {
  if (reasons.length === 0) return { first: '', more: 0, text: '' };
  const more = reasons.length - 1;
  return { first: reasons[0]!, more, text: more > 0 ? `${reasons[0]} (+${more} more)` : reasons[0]! };
}

/**
 * What a correction saved, and whether the document still waits:
 * "Saved: Odoo vendor “Brightwater Ltd” (partner 57), Total. It still waits: … (+1 more)."
 */
export function savedText(change: Correction, saved: Pick<DocumentView, 'reviewReasons'>, partner?: Pick<Partner, 'id' | 'name'>): string {
  const names = [
    ...(change.partner_id !== undefined ? [`Odoo vendor ${partner ? `“${partner.name}” (partner ${partner.id})` : `partner ${change.partner_id}`}`] : []),
    ...Object.keys(change.fields ?? {}).map(fieldLabel),
    ...(change.lines ? ['Line items'] : []),
  ];
  const waits = saved.reviewReasons.length === 0 ? 'Nothing left to check.' : `It still waits: ${reasonSummary(saved.reviewReasons).text}.`;
  return `Saved: ${names.join(', ')}. ${waits}`;
}

/** "Jan 2, 2026, 3:04 PM" in the given locale and zone; the raw text for an unreadable time. */
export function formatTime(time: string, options: { locale?: string; timeZone?: string } = {}): string {
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return time;
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(t);
}


/** Sizes and relative times: @workbench/lab-common's. */
export { formatBytes, formatRelative } from '@workbench/lab-common';

const METHOD_LABELS: Record<Exclude<VendorMatch['method'], 'chosen'>, string> = {
  vat: 'by VAT number',
  exact: 'by exact name',
  fuzzy: 'by similar name',
};

/** "Matched by VAT number (100%)"; a vendor a reviewer chose: "Chosen by alice" (who, from the history, when known). */
export function matchText(m: VendorMatch, chooser: string | null = null): string {
  if (m.method === 'chosen') return chooser ? `Chosen by ${chooser}` : 'Chosen by a reviewer';
  return `Matched ${METHOD_LABELS[m.method]} (${formatConfidence(m.score)})`;
}

/** Who last chose the Odoo vendor (a correction of `partner`), from the history; null when none did. */
export function vendorChooser(events: readonly DocumentEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const fields = e.action === 'corrected' && Array.isArray(e.detail.fields) ? (e.detail.fields as { field?: unknown }[]) : [];
    if (fields.some((c) => c.field === 'partner')) return e.actor;
  }
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? 'empty' : `“${String(v)}”`);

/** One step of the history in words ("Corrected Total: “1,0.00” → “1250.00”"). */
export function eventText(e: DocumentEvent): string {
  const d = e.detail;
  switch (e.action) {
    case 'received':
      return `Received ${str(d.filename) ?? 'the file'}${str(d.source) ? ` (${str(d.source)})` : ''}`;
    case 'extracting':
      return 'Reading started';
    case 'extracted': {
      const reasons = Array.isArray(d.reasons) ? d.reasons.length : 0;
      const conf = typeof d.confidence === 'number' ? `, confidence ${formatConfidence(d.confidence)}` : '';
      const how = d.auto === true ? 'approved automatically' : `waits for review (${reasons} reason${reasons === 1 ? '' : 's'})`;
      return `Read by ${str(d.engine) ?? 'the OCR engine'}${typeof d.ms === 'number' ? ` in ${(d.ms / 1000).toFixed(1)} s` : ''}${conf}: ${how}`;
    }
    case 'extraction_failed':
      return `Reading failed: ${str(d.error) ?? 'unknown error'}`;
    case 'corrected': {
      const list = Array.isArray(d.fields) ? (d.fields as { field?: unknown; before?: unknown; after?: unknown }[]) : [];
      const partner = (v: unknown) => (str(v) ? `partner ${str(v)}` : 'none');
      const parts = list.map((c) =>
        c.field === 'lines' ? 'Line items' : c.field === 'partner' ? `Odoo vendor: ${partner(c.before)} → ${partner(c.after)}` : `${fieldLabel(String(c.field))}: ${shown(c.before)} → ${shown(c.after)}`,
      );
      return parts.length > 0 ? `Corrected ${parts.join('; ')}` : 'Corrected';
    }
    case 'approved':
      return 'Approved for posting';
    case 'rejected':
      return `Rejected: ${str(d.reason) ?? 'no reason given'}`;
    case 'posting':
      return `Posting to Odoo${typeof d.attempt === 'number' ? ` (attempt ${d.attempt})` : ''}`;
    case 'posted': {
      const rec = str(d.model) && str(d.id) ? `${str(d.model)} ${str(d.id)}` : 'a record';
      return `Posted to Odoo as ${rec}${str(d.name) ? ` (${str(d.name)})` : ''}${d.adopted === true ? ', found already there' : ''}`;
    }
    case 'post_failed':
      return `Posting failed${typeof d.attempt === 'number' ? ` (attempt ${d.attempt})` : ''}: ${str(d.error) ?? 'unknown error'}`;
    case 'replayed':
      return `Replayed${str(d.from) ? ` (was ${str(d.from)})` : ''}`;
    default:
      return e.action.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
}
