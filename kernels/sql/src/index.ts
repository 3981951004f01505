export * from './kernel-server';
export * from './kernel-main';
export * from './sql-kernel';
export * from './connections';
export { main } from './main';
