export * from './protocol';
export * from './terminal';
export * from './terminal-manager';
