export * from './secrets';
export * from './identity';
export * from './permissions';
