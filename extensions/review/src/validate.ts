/**
 * Trust boundary: the documents API's JSON is checked here once, so the
 * widgets can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a ReviewError('invalid_response') naming
 * the first field that is wrong. Keys the screens do not use are dropped.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { ReviewError } from './review-api';
import {
  DOCUMENT_STATUSES,
  FIELD_NAMES,
  type Box,
  type DocumentDetail,
  type DocumentEvent,
  type DocumentStatus,
  type DocumentSummary,
  type DocumentView,
  type Duplicate,
  type ExtractedField,
  type ExtractedLine,
  type FieldName,
  type FourEyes,
  type OdooRecord,
  type Partner,
  type PageSize,
  type Posting,
  type ReplayResult,
  type ReviewAbilities,
  type RuleIssue,
  type UploadResult,
  type VendorMatch,
} from './types';

const STATUSES = new Set<string>(DOCUMENT_STATUSES);
const FIELDS = new Set<string>(FIELD_NAMES);
const SOURCES = new Set(['ocr', 'text', 'service', 'user']);
const SEVERITIES = new Set(['error', 'warning']);
const METHODS = new Set(['vat', 'exact', 'fuzzy', 'chosen']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, ReviewError);
  }
  number(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'a number');
    return v;
  }
  numberOrNull(v: unknown, where: string): number | null {
    return v === null || v === undefined ? null : this.number(v, where);
  }
  integer(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(where, 'an integer');
    return v;
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
  /** Absent and null both read as null. */
  optString(v: unknown, where: string): string | null {
    return v === undefined ? null : this.stringOrNull(v, where);
  }
  optTime(v: unknown, where: string): string | null {
    return v === undefined ? null : this.timeOrNull(v, where);
  }
}

function box(r: Reader, v: unknown, at: string): Box | undefined {
  if (v === undefined || v === null) return undefined;
  const o = r.object(v, at);
  return { page: r.integer(o.page, `${at}.page`), x: r.number(o.x, `${at}.x`), y: r.number(o.y, `${at}.y`), w: r.number(o.w, `${at}.w`), h: r.number(o.h, `${at}.h`) };
}

function field(r: Reader, v: unknown, at: string): ExtractedField {
  const o = r.object(v, at);
  const b = box(r, o.box, `${at}.box`);
  return { value: r.stringOrNull(o.value, `${at}.value`), confidence: r.number(o.confidence, `${at}.confidence`), ...(b && { box: b }), source: r.oneOf(o.source, SOURCES, `${at}.source`) };
}

/** Every field, in the form's order; a field the server left out reads as not read. */
function fields(r: Reader, v: unknown, at: string): Record<FieldName, ExtractedField> | null {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  const out = {} as Record<FieldName, ExtractedField>;
  for (const name of FIELD_NAMES) out[name] = o[name] === undefined ? { value: null, confidence: 0, source: 'ocr' } : field(r, o[name], `${at}.${name}`);
  return out;
}

function line(r: Reader, v: unknown, at: string): ExtractedLine {
  const o = r.object(v, at);
  const b = box(r, o.box, `${at}.box`);
  return {
    description: r.string(o.description, `${at}.description`),
    quantity: r.optString(o.quantity, `${at}.quantity`),
    unit_price: r.optString(o.unit_price, `${at}.unit_price`),
    amount: r.optString(o.amount, `${at}.amount`),
    confidence: o.confidence === undefined ? 1 : r.number(o.confidence, `${at}.confidence`),
    ...(b && { box: b }),
  };
}

function odoo(r: Reader, v: unknown, at: string): OdooRecord | null {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  return { model: r.string(o.model, `${at}.model`), id: r.integer(o.id, `${at}.id`) };
}

function summary(r: Reader, v: unknown, at: string): DocumentSummary {
  const o = r.object(v, at);
  return {
    id: r.string(o.id, `${at}.id`),
    filename: r.string(o.filename, `${at}.filename`),
    mediaType: r.string(o.mediaType, `${at}.mediaType`),
    status: r.oneOf<DocumentStatus>(o.status, STATUSES, `${at}.status`),
    source: r.string(o.source, `${at}.source`),
    uploadedBy: r.string(o.uploadedBy, `${at}.uploadedBy`),
    receivedAt: r.time(o.receivedAt, `${at}.receivedAt`),
    vendor: r.optString(o.vendor, `${at}.vendor`),
    invoiceNumber: r.optString(o.invoiceNumber, `${at}.invoiceNumber`),
    invoiceDate: r.optString(o.invoiceDate, `${at}.invoiceDate`),
    currency: r.optString(o.currency, `${at}.currency`),
    total: r.optString(o.total, `${at}.total`),
    confidence: r.numberOrNull(o.confidence, `${at}.confidence`),
    reviewReasons: o.reviewReasons === undefined ? [] : r.strings(o.reviewReasons, `${at}.reviewReasons`),
    error: r.optString(o.error, `${at}.error`),
    odoo: odoo(r, o.odoo, `${at}.odoo`),
  };
}

function issue(r: Reader, v: unknown, at: string): RuleIssue {
  const o = r.object(v, at);
  const f = o.field === undefined || o.field === null ? undefined : r.oneOf<FieldName>(o.field, FIELDS, `${at}.field`);
  return { rule: r.string(o.rule, `${at}.rule`), ...(f && { field: f }), severity: r.oneOf(o.severity, SEVERITIES, `${at}.severity`), message: r.string(o.message, `${at}.message`) };
}

function vendorMatch(r: Reader, v: unknown, at: string): VendorMatch | null {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  return { partnerId: r.integer(o.partnerId, `${at}.partnerId`), name: r.string(o.name, `${at}.name`), method: r.oneOf(o.method, METHODS, `${at}.method`), score: r.number(o.score, `${at}.score`) };
}

function duplicate(r: Reader, v: unknown, at: string): Duplicate {
  const o = r.object(v, at);
  return {
    reason: r.string(o.reason, `${at}.reason`),
    ...(o.documentId !== undefined && o.documentId !== null && { documentId: r.string(o.documentId, `${at}.documentId`) }),
    ...(o.odooId !== undefined && o.odooId !== null && { odooId: r.integer(o.odooId, `${at}.odooId`) }),
    message: r.string(o.message, `${at}.message`),
  };
}

function posting(r: Reader, v: unknown, at: string): Posting | null {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  return { key: r.optString(o.key, `${at}.key`), attempts: r.count(o.attempts, `${at}.attempts`), error: r.optString(o.error, `${at}.error`), postedAt: r.optTime(o.postedAt, `${at}.postedAt`) };
}

function pageSize(r: Reader, v: unknown, at: string): PageSize {
  const o = r.object(v, at);
  return { page: r.integer(o.page, `${at}.page`), width: r.number(o.width, `${at}.width`), height: r.number(o.height, `${at}.height`) };
}

function fourEyes(r: Reader, v: unknown, at: string): FourEyes | null {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  return { limit: r.string(o.limit, `${at}.limit`), applies: r.boolean(o.applies, `${at}.applies`), excluded: o.excluded === undefined ? [] : r.strings(o.excluded, `${at}.excluded`) };
}

function view(r: Reader, v: unknown, at: string): DocumentView {
  const o = r.object(v, at);
  const list = <T>(x: unknown, where: string, read: (r: Reader, v: unknown, at: string) => T): T[] => (x === undefined ? [] : r.array(x, where).map((e, i) => read(r, e, `${where}[${i}]`)));
  return {
    ...summary(r, o, at),
    sha256: r.string(o.sha256, `${at}.sha256`),
    sizeBytes: r.count(o.sizeBytes, `${at}.sizeBytes`),
    pages: r.count(o.pages, `${at}.pages`),
    engine: r.optString(o.engine, `${at}.engine`),
    extractedMs: r.numberOrNull(o.extractedMs, `${at}.extractedMs`),
    pageSizes: list(o.pageSizes, `${at}.pageSizes`, pageSize),
    fields: fields(r, o.fields, `${at}.fields`),
    lines: list(o.lines, `${at}.lines`, line),
    issues: list(o.issues, `${at}.issues`, issue),
    vendorMatch: vendorMatch(r, o.vendorMatch, `${at}.vendorMatch`),
    duplicates: list(o.duplicates, `${at}.duplicates`, duplicate),
    correctedBy: o.correctedBy === undefined ? [] : r.strings(o.correctedBy, `${at}.correctedBy`),
    decidedBy: r.optString(o.decidedBy, `${at}.decidedBy`),
    decidedAt: r.optTime(o.decidedAt, `${at}.decidedAt`),
    rejectReason: r.optString(o.rejectReason, `${at}.rejectReason`),
    posting: posting(r, o.posting, `${at}.posting`),
    version: r.integer(o.version, `${at}.version`),
    fourEyes: fourEyes(r, o.fourEyes, `${at}.fourEyes`),
  };
}

function event(r: Reader, v: unknown, at: string): DocumentEvent {
  const o = r.object(v, at);
  return { seq: r.integer(o.seq, `${at}.seq`), at: r.time(o.at, `${at}.at`), actor: r.string(o.actor, `${at}.actor`), action: r.string(o.action, `${at}.action`), detail: o.detail === undefined || o.detail === null ? {} : r.object(o.detail, `${at}.detail`) };
}

/** `{documents: DocumentSummary[]}` */
export function readSummaries(json: unknown): DocumentSummary[] {
  const r = new Reader('the documents');
  const o = r.object(json, 'the answer');
  return r.array(o.documents, 'documents').map((d, i) => summary(r, d, `documents[${i}]`));
}

/** `{document, events}` */
export function readDetail(json: unknown): DocumentDetail {
  const r = new Reader('the document');
  const o = r.object(json, 'the answer');
  return { document: view(r, o.document, 'document'), events: o.events === undefined ? [] : r.array(o.events, 'events').map((e, i) => event(r, e, `events[${i}]`)) };
}

/** `{document}` (the answer of correct, approve, reject). */
export function readDocument(json: unknown): DocumentView {
  const r = new Reader('the document');
  return view(r, r.object(json, 'the answer').document, 'document');
}

/** `{document, duplicate?}` (the answer of an upload). */
export function readUpload(json: unknown): UploadResult {
  const r = new Reader('the upload');
  const o = r.object(json, 'the answer');
  return { document: view(r, o.document, 'document'), duplicate: o.duplicate === undefined ? false : r.boolean(o.duplicate, 'duplicate') };
}

/** `{replayed: string[], skipped: {id, reason}[]}` */
export function readReplay(json: unknown): ReplayResult {
  const r = new Reader('the replay');
  const o = r.object(json, 'the answer');
  return {
    replayed: r.strings(o.replayed, 'replayed'),
    skipped: r.array(o.skipped, 'skipped').map((s, i) => {
      const x = r.object(s, `skipped[${i}]`);
      return { id: r.string(x.id, `skipped[${i}].id`), reason: r.string(x.reason, `skipped[${i}].reason`) };
    }),
  };
}

/** `{partners: [{id, name, vat}]}` (`GET api/documents/partners?q=`); a VAT number Odoo leaves empty reads as null. */
export function readPartners(json: unknown): Partner[] {
  const r = new Reader('the Odoo partners');
  const o = r.object(json, 'the answer');
  return r.array(o.partners, 'partners').map((p, i) => {
    const x = r.object(p, `partners[${i}]`);
    const vat = x.vat === false || x.vat === '' ? null : r.optString(x.vat, `partners[${i}].vat`);
    return { id: r.integer(x.id, `partners[${i}].id`), name: r.string(x.name, `partners[${i}].name`), vat };
  });
}

/** `api/me?permissions={"documents":["write"]}`: `{identity: {username}, permissions}`. */
export function readAbilities(json: unknown): ReviewAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const documents = new Set(permissions.documents === undefined ? [] : r.strings(permissions.documents, 'permissions.documents'));
  const identity: Json = o.identity === undefined || o.identity === null ? {} : r.object(o.identity, 'identity');
  return { write: documents.has('write'), username: identity.username === undefined ? null : r.stringOrNull(identity.username, 'identity.username') };
}
