export * from './chain';
export * from './audit-log';
export * from './journal';
