export * from './chain';
export * from './audit-log';
