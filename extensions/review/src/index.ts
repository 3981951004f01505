/**
 * @workbench/review-ui: client and widgets for the documents review queue
 * (`{base}api/documents`): the queue with its filter tabs, upload and
 * Replay all; a document's page with its page images and the extracted
 * fields' boxes beside an editable form, the vendor match and choosing
 * the Odoo vendor, the four-eyes rule beside Approve, issues,
 * duplicates, posting and history; Save corrections, Approve, Reject,
 * Replay. The server package is @workbench/documents; the JupyterLab
 * wiring lives in @workbench/review-extension.
 */
export * from './types';
export { errorFromResponse, errorText, isAbort, networkError, ReviewError, reviewErrors, ruleOf } from './review-api';
export type { ReviewErrorKind } from './review-api';
export { ReviewClient } from './review-client';
export type { RequestOptions, ReviewClientOptions } from './review-client';
export { readAbilities, readDetail, readDocument, readPartners, readReplay, readSummaries, readUpload } from './validate';
export { boxPercent, scaleBox, sizeOfPage } from './box-geometry';
export type { PercentRect, PixelRect } from './box-geometry';
export { AMOUNT_FIELDS, amountValue, canonicalAmount, changedFields, cleanLine, correctionOf, fieldTexts, fieldValue, lineInputs, linesChanged, sentLines } from './corrections';
export type { FieldTexts } from './corrections';
export * from './format';
export { fourEyesHint } from './four-eyes';
export type { FourEyesHint } from './four-eyes';
export { MAX_PARTNERS, MAX_QUERY, MIN_QUERY, moveActive, PartnerSearch, partnerLabel, partnerQuery, SEARCH_DELAY_MS, searchStatus } from './partner-search';
export type { PartnerSearchOptions, SearchState } from './partner-search';
export { mediaTypeOf, UPLOAD_ACCEPT, UPLOAD_TYPES } from './upload-check';
export type { UploadType } from './upload-check';
export { COUNTED, QUEUE_TABS, tabCounts, tabSpec } from './queue-tabs';
export type { QueueTab, TabSpec } from './queue-tabs';
export { Poll } from './poll';
export { READ_ONLY } from './screen-options';
export type { ReviewScreenOptions } from './screen-options';
export { confidenceBar, statusBadge } from './badges';
export { PageView } from './page-view';
export type { BoxItem, PageViewOptions } from './page-view';
export { FieldForm } from './field-form';
export type { FieldFormOptions } from './field-form';
export { showRejectDialog } from './reject-dialog';
export { VendorPicker } from './vendor-picker';
export type { VendorPickerOptions } from './vendor-picker';
export { ReviewQueue } from './review-queue';
export type { ReviewQueueOptions } from './review-queue';
export { DocumentPage } from './document-page';
export type { DocumentPageOptions } from './document-page';
