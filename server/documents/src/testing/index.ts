/** Test helpers of @workbench/documents: the generated receipts-and-bills corpus with ground truth. */
export * from './corpus';
/** A PNG of a gray image (tests that need a small real image). */
export { encodePngGray } from '../ocr/png';
export { OcrServiceSimulator, type OcrServiceCall } from './ocr-service-simulator';
