export * from './connection-info';
export * from './kernel-connection';
export { SendQueue } from './send-queue';
