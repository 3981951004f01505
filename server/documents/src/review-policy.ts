/**
 * Whether a read document may flow on by itself or waits for a person, and
 * why: a required field read below the confidence threshold, a rule
 * broken, no Odoo vendor (or only a similar name), a possible duplicate.
 * The reasons are shown in the queue as they are written here.
 *
 * The four-eyes rule: at or over the limit for the document's currency
 * (`fourEyes`: currency -> amount, `*` for the others), whoever uploaded or
 * corrected a document may not approve it.
 */
import type { ExtractedField } from './ocr/types';
import type { DocumentLine, Duplicate } from './document-rows';
import { checkRules, label, REQUIRED_FIELDS, type FieldName } from './validate/rules';
import { matchVendor, type Partner, type VendorMatch } from './validate/vendor-match';

export interface ReviewPolicy {
  /** A required field read below this (0..1) needs a person. */
  confidenceThreshold: number;
  /** Confident, clean documents are approved without a person. */
  autoApprove: boolean;
  /** Currency -> amount (decimal string) at or over which the four-eyes rule applies; `*` for other currencies. */
  fourEyes: Record<string, string>;
  /** A vendor matched by a similar name scoring below this needs a person. */
  fuzzyReviewBelow: number;
}

export function fourEyesLimit(p: ReviewPolicy, currency: string | null): string | undefined {
  return (currency !== null ? p.fourEyes[currency] : undefined) ?? p.fourEyes['*'];
}

export interface AssessInput {
  fields: Record<FieldName, ExtractedField>;
  lines: readonly DocumentLine[];
  /** Odoo's vendors; undefined when Odoo could not be read. */
  partners: Partner[] | undefined;
  /** The partner a reviewer chose. */
  partnerId: number | undefined;
  policy: ReviewPolicy;
  today: number;
  corrected: boolean;
  engine: string;
  odoo: boolean;
}

export async function assess(input: AssessInput, duplicates: (partnerId: number | null) => Promise<Duplicate[]>) {
  const { fields, policy } = input;
  const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value])) as Record<FieldName, string | null>;
  const issues = checkRules(values, input.lines, { today: input.today });
  // Most pressing first (the queue shows the first): what blocks approval, then what a person must decide, then doubts.
  const blocking: string[] = issues.filter((i) => i.severity === 'error').map((i) => i.message);
  const decide: string[] = [];
  const doubts: string[] = issues.filter((i) => i.severity === 'warning').map((i) => i.message);
  for (const name of [...REQUIRED_FIELDS, 'subtotal', 'tax'] as FieldName[]) {
    const f = fields[name];
    if (f.value !== null && f.source !== 'user' && f.confidence < policy.confidenceThreshold) doubts.push(`${label(name)} read with ${Math.round(f.confidence * 100)}% confidence (below ${Math.round(policy.confidenceThreshold * 100)}%)`);
  }
  let match: VendorMatch | undefined;
  const chosen = input.partnerId !== undefined ? input.partners?.find((p) => p.id === input.partnerId) : undefined;
  if (input.partnerId !== undefined) match = { partnerId: input.partnerId, name: chosen?.name ?? `partner ${input.partnerId}`, method: 'chosen', score: 1 };
  else if (input.partners) match = matchVendor(values.vendor, values.vendor_vat, input.partners);
  if (!input.odoo) blocking.push('No Odoo connection is configured: the vendor cannot be matched and nothing can be posted');
  else if (!input.partners && input.partnerId === undefined) blocking.push('Odoo could not be reached to match the vendor');
  else if (!match) blocking.push(values.vendor ? `No Odoo vendor matches "${values.vendor}"${values.vendor_vat ? ` or VAT ${values.vendor_vat}` : ''}` : 'No vendor was read');
  else if (match.method === 'fuzzy' && match.score < policy.fuzzyReviewBelow) decide.push(`Vendor "${values.vendor}" matched "${match.name}" by a similar name only (${Math.round(match.score * 100)}%)`);
  const dups = await duplicates(match?.partnerId ?? null);
  for (const d of dups) decide.push(d.message);
  const reasons = [...blocking, ...decide, ...doubts];
  const required = REQUIRED_FIELDS.map((n) => fields[n]).filter((f) => f.value !== null);
  const confidence = required.length === REQUIRED_FIELDS.length ? Math.min(...required.map((f) => f.confidence)) : 0;
  return {
    reasons,
    columns: {
      issues: JSON.stringify(issues),
      review_reasons: JSON.stringify(reasons),
      vendor_match: match ? JSON.stringify(match) : null,
      duplicates: JSON.stringify(dups),
      partner_id: match?.partnerId ?? null,
      invoice_number: values.invoice_number,
      invoice_date: values.invoice_date,
      currency: values.currency,
      total: values.total,
      confidence: Math.round(confidence * 1000) / 1000,
    },
  };
}
