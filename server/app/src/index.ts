export * from './app';
export * from './config';
export { main } from './cli';
