export * from './project';
export * from './environment-manager';
