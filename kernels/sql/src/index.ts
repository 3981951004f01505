export * from './kernel-server';
export * from './kernel-main';
export * from './sql-kernel';
export { toExecutionError } from './cell-error';
export * from './connections';
export { main } from './main';
export { CHECK_MIME, CHECK_SUMMARY_MIME } from './expectation';
export type { CheckResult, CheckStatus, CheckSummary, CurrencyImpact } from './expectation';
export type { CheckSeverity, ExpectSpec } from './expect-magic';
