/**
 * The JSON of Workbench's documents API, as the review screens see it.
 * Mirrors `server/documents/src/document-rows.ts` (DocumentSummary,
 * DocumentView, Duplicate), `ocr/types.ts` (Box, ExtractedField,
 * ExtractedLine), `validate/rules.ts` (RuleIssue), `validate/vendor-match.ts`
 * (VendorMatch) and `document-service.ts` (events, replay), served by
 * `server/http/src/routes/documents.ts`. This package runs in the browser,
 * so it does not import them; `contract.test.ts` holds the two together.
 */

export type DocumentStatus = 'received' | 'extracting' | 'needs_review' | 'approved' | 'posting' | 'posted' | 'rejected' | 'failed';
export const DOCUMENT_STATUSES: readonly DocumentStatus[] = ['received', 'extracting', 'needs_review', 'approved', 'posting', 'posted', 'rejected', 'failed'];
/** Statuses a document leaves by itself (the server's workers read or post it). */
export const UNSETTLED: ReadonlySet<DocumentStatus> = new Set(['received', 'extracting', 'approved', 'posting']);

export type FieldName = 'vendor' | 'vendor_vat' | 'invoice_number' | 'invoice_date' | 'due_date' | 'currency' | 'subtotal' | 'tax' | 'total';
/** In the order the form shows them. */
export const FIELD_NAMES: readonly FieldName[] = ['vendor', 'vendor_vat', 'invoice_number', 'invoice_date', 'due_date', 'currency', 'subtotal', 'tax', 'total'];

/** Page from 1; x, y, w, h in pixels of that page's image. */
export interface Box {
  page: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ExtractedField {
  /** Canonical text: dates YYYY-MM-DD, amounts 1234.50, currency ISO 4217. */
  value: string | null;
  /** 0..1; 1 once a person set it. */
  confidence: number;
  box?: Box;
  source: 'ocr' | 'text' | 'service' | 'user';
}

export interface ExtractedLine {
  description: string;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
  confidence: number;
  box?: Box;
}

/** A line as a reviewer edits and sends it (`POST .../correct {lines}`). */
export interface LineInput {
  description: string;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
}

export interface RuleIssue {
  rule: string;
  field?: FieldName;
  severity: 'error' | 'warning';
  message: string;
}

export interface VendorMatch {
  partnerId: number;
  name: string;
  method: 'vat' | 'exact' | 'fuzzy' | 'chosen';
  /** 0..1 */
  score: number;
}

export interface Duplicate {
  reason: string;
  documentId?: string;
  odooId?: number;
  message: string;
}

export interface PageSize {
  page: number;
  width: number;
  height: number;
}

export interface OdooRecord {
  model: string;
  id: number;
}

/** A row of the queue (`GET api/documents`). */
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
  /** The lowest confidence of the required fields, 0..1; null until read. */
  confidence: number | null;
  reviewReasons: string[];
  error: string | null;
  odoo: OdooRecord | null;
}

export interface Posting {
  /** The idempotency key written into the Odoo bill. */
  key: string | null;
  attempts: number;
  error: string | null;
  postedAt: string | null;
}

/** The whole document (`GET api/documents/{id}`). */
export interface DocumentView extends DocumentSummary {
  sha256: string;
  sizeBytes: number;
  pages: number;
  engine: string | null;
  extractedMs: number | null;
  pageSizes: PageSize[];
  /** The fields as they stand (extraction + corrections); null until read. */
  fields: Record<FieldName, ExtractedField> | null;
  lines: ExtractedLine[];
  issues: RuleIssue[];
  vendorMatch: VendorMatch | null;
  duplicates: Duplicate[];
  correctedBy: string[];
  decidedBy: string | null;
  decidedAt: string | null;
  rejectReason: string | null;
  posting: Posting | null;
  /** Sent back with corrections and approvals: a change since loading is refused (409). */
  version: number;
  /** The four-eyes rule for this document; null when no limit is set for its currency (absent from older servers). */
  fourEyes?: FourEyes | null;
}

/** Who may not approve a document because of the four-eyes rule (`DocumentView.fourEyes`). */
export interface FourEyes {
  /** The amount (decimal string, in the document's currency) at or over which a second person must approve. */
  limit: string;
  /** Whether the document's total is at or over `limit`. */
  applies: boolean;
  /** Who uploaded or corrected it, so may not approve it (empty unless `applies`). */
  excluded: string[];
}

/** An Odoo partner found by name or VAT number (`GET api/documents/partners?q=`), for choosing a document's vendor. */
export interface Partner {
  id: number;
  name: string;
  vat: string | null;
}

/** One step of a document's history (its lineage), oldest first. */
export interface DocumentEvent {
  seq: number;
  at: string;
  actor: string;
  /** received, extracting, extracted, corrected, approved, rejected, posting, posted, post_failed, extraction_failed, replayed, ... */
  action: string;
  detail: Record<string, unknown>;
}

export interface DocumentDetail {
  document: DocumentView;
  events: DocumentEvent[];
}

export interface UploadResult {
  document: DocumentView;
  /** The same file was received before: this is that document. */
  duplicate: boolean;
}

export interface ReplayResult {
  replayed: string[];
  skipped: { id: string; reason: string }[];
}

/** What the signed-in user may do (`api/me?permissions=`); the server checks every request anyway. */
export interface ReviewAbilities {
  /** Upload, correct, approve, reject, replay. */
  write: boolean;
  username: string | null;
}

/** The body of `POST api/documents/{id}/correct`. */
export interface Correction {
  fields?: Partial<Record<FieldName, string | null>>;
  lines?: LineInput[];
  partner_id?: number;
  version?: number;
}
