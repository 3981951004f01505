export * from './disposable';
export * from './event';
export * from './errors';
export * from './logger';
export * from './async';
export * from './json';
export * from './kernel-signature';
export * from './webhook-signature';
