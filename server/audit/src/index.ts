export * from './chain';
export * from './audit-log';
export * from './journal';
export { exportObject } from './export-format';
export type { AuditJournalOptions } from './journaled-writer';
export { lockJournal } from './journal-lock';
