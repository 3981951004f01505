export * from './model';
export * from './contents-manager';
export * from './nbformat';
export * from './paths';
export { mimeFor } from './mime';
export { atomicWrite } from './atomic-write';
export { GitVersionStore } from './git-version-store';
