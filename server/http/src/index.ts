export * from './server';
export * from './deps';
export * from './route-table';
export { WS_CLOSE, httpStatus } from './error-table';
export type { CorsConfig } from './auth-middleware';
export { toOpenApiPath } from './openapi';
