/** OCR engines and field extraction (server/documents/README.md, "Extraction shape"). */
export * from './types';
export { TesseractEngine, type TesseractEngineOptions } from './tesseract-engine';
export { ServiceOcrEngine, mapResponse, type FetchLike, type ServiceOcrEngineOptions } from './service-engine';
export { extractFields, type FieldsResult } from './extract-fields';
export type { OcrWord, PageWords } from './layout';
export { parseAmount, parseDate, findDates, currencyVotes, canonicalTaxId, formatAmount, type DateOrder } from './parse';
export { checkMagic, renderPageImages, MAX_PAGES } from './pages';
