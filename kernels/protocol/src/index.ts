export * from './messages';
export * from './signer';
export * from './wire';
export * from './websocket';
