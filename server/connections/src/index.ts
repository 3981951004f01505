export * from './connection-spec';
export * from './connection-manager';
export { diagnose, testPostgres, type TestResult, type TestStage } from './postgres-connection';
