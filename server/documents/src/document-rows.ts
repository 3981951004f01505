/**
 * documents rows <-> what clients see. JSON columns are parsed here and
 * nowhere else; a row written by this version always parses.
 */
import type { DocumentsTable, Selectable } from '@workbench/store';
import type { Box, ExtractedField, ExtractedLine } from './ocr/types';
import type { FieldName, RuleIssue } from './validate/rules';
import type { VendorMatch } from './validate/vendor-match';

export type DocumentStatus = 'received' | 'extracting' | 'needs_review' | 'approved' | 'posting' | 'posted' | 'rejected' | 'failed';
export const DOCUMENT_STATUSES: readonly DocumentStatus[] = ['received', 'extracting', 'needs_review', 'approved', 'posting', 'posted', 'rejected', 'failed'];
/** Statuses a document leaves by itself (the workers' part). */
export const UNSETTLED: readonly DocumentStatus[] = ['received', 'extracting', 'approved', 'posting'];

export interface Duplicate {
  reason: 'same_partner_and_ref' | 'same_amount_date_vendor' | 'odoo_bill_with_ref';
  documentId?: string;
  odooId?: number;
  message: string;
}

export interface StoredExtraction {
  engine: string;
  durationMs: number;
  fields: Record<FieldName, ExtractedField>;
  lines: ExtractedLine[];
  pages: { page: number; width: number; height: number }[];
  text: string;
}

export interface DocumentLine extends ExtractedLine {
  box?: Box;
}

export interface DocumentSummary {
  id: string;
  filename: string;
  mediaType: string;
  status: DocumentStatus;
  source: string;
  uploadedBy: string;
  receivedAt: string;
  vendor: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  currency: string | null;
  total: string | null;
  confidence: number | null;
  reviewReasons: string[];
  error: string | null;
  odoo: { model: string; id: number } | null;
}

export interface DocumentView extends DocumentSummary {
  sha256: string;
  sizeBytes: number;
  pages: number;
  engine: string | null;
  extractedMs: number | null;
  pageSizes: { page: number; width: number; height: number }[];
  /** The fields as they stand (extraction + corrections); null until extracted. */
  fields: Record<FieldName, ExtractedField> | null;
  lines: DocumentLine[];
  /** The engine's own reading, unchanged by corrections. */
  extracted: { fields: Record<FieldName, ExtractedField>; lines: ExtractedLine[] } | null;
  issues: RuleIssue[];
  vendorMatch: VendorMatch | null;
  duplicates: Duplicate[];
  correctedBy: string[];
  decidedBy: string | null;
  decidedAt: string | null;
  rejectReason: string | null;
  posting: { key: string | null; attempts: number; error: string | null; postedAt: string | null } | null;
  version: number;
  /** The four-eyes rule for this document: its limit, whether the total reaches it, and who therefore may not approve it. */
  fourEyes?: { limit: string; applies: boolean; excluded: string[] } | null;
}

export type DocumentRow = Selectable<DocumentsTable>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function summaryOf(r: DocumentRow): DocumentSummary {
  const fields = r.fields ? (JSON.parse(r.fields) as Record<FieldName, ExtractedField>) : null;
  return {
    id: r.id,
    filename: r.filename,
    mediaType: r.media_type,
    status: r.status as DocumentStatus,
    source: r.source,
    uploadedBy: r.uploaded_by,
    receivedAt: iso(r.received_at)!,
    vendor: fields?.vendor.value ?? null,
    invoiceNumber: r.invoice_number,
    invoiceDate: r.invoice_date,
    currency: r.currency,
    total: r.total,
    confidence: r.confidence,
    reviewReasons: JSON.parse(r.review_reasons) as string[],
    error: r.error ?? r.posting_error,
    odoo: r.odoo_model && r.odoo_id !== null ? { model: r.odoo_model, id: r.odoo_id } : null,
  };
}

export function viewOf(r: DocumentRow): DocumentView {
  const extraction = r.extraction ? (JSON.parse(r.extraction) as StoredExtraction) : null;
  return {
    ...summaryOf(r),
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    pages: r.pages,
    engine: extraction?.engine ?? null,
    extractedMs: extraction?.durationMs ?? null,
    pageSizes: extraction?.pages ?? [],
    fields: r.fields ? (JSON.parse(r.fields) as Record<FieldName, ExtractedField>) : null,
    lines: r.lines ? (JSON.parse(r.lines) as DocumentLine[]) : [],
    extracted: extraction ? { fields: extraction.fields, lines: extraction.lines } : null,
    issues: JSON.parse(r.issues) as RuleIssue[],
    vendorMatch: r.vendor_match ? (JSON.parse(r.vendor_match) as VendorMatch) : null,
    duplicates: JSON.parse(r.duplicates) as Duplicate[],
    correctedBy: JSON.parse(r.corrected_by) as string[],
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    rejectReason: r.reject_reason,
    posting: r.posting_key || r.posting_attempts > 0 ? { key: r.posting_key, attempts: r.posting_attempts, error: r.posting_error, postedAt: iso(r.posted_at) } : null,
    version: r.version,
  };
}
