export * from './secrets';
export * from './identity';
