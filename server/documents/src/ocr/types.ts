/**
 * The Extraction shape (server/documents/README.md, "Extraction shape"):
 * what an OCR engine hands to validation and the review screen. Values are
 * strings in canonical form: dates `YYYY-MM-DD`, amounts `1234.50` (dot
 * decimal, no grouping), currency ISO 4217; boxes are in the pixels of the
 * page image the engine returns with them.
 */
export type FieldName = 'vendor' | 'vendor_vat' | 'invoice_number' | 'invoice_date' | 'due_date' | 'currency' | 'subtotal' | 'tax' | 'total';

export const FIELD_NAMES: readonly FieldName[] = ['vendor', 'vendor_vat', 'invoice_number', 'invoice_date', 'due_date', 'currency', 'subtotal', 'tax', 'total'];

/** page from 1; pixels of that page's image */
export interface Box {
  page: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ExtractedField {
  value: string | null;
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

export interface PageImage {
  page: number;
  width: number;
  height: number;
  mediaType: 'image/jpeg' | 'image/png';
  bytes: Buffer;
}

export interface Extraction {
  /** "tesseract 5.3.0" | "service:<connection>" */
  engine: string;
  durationMs: number;
  fields: Record<FieldName, ExtractedField>;
  lines: ExtractedLine[];
  /** what the review screen shows; boxes are in these pixels */
  pages: PageImage[];
  /** the whole text, for search */
  text: string;
}

export type DocumentMediaType = 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/tiff';

export const DOCUMENT_MEDIA_TYPES: readonly DocumentMediaType[] = ['application/pdf', 'image/png', 'image/jpeg', 'image/tiff'];

export interface OcrInput {
  bytes: Buffer;
  mediaType: DocumentMediaType;
}

export interface OcrEngine {
  readonly name: string;
  extract(input: OcrInput, opts?: { signal?: AbortSignal }): Promise<Extraction>;
}
