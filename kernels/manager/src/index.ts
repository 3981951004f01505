export * from './kernelspecs';
export * from './python-interpreter';
export * from './kernel';
export * from './kernel-channels';
export * from './kernel-env';
export * from './kernel-manager';
export * from './session-manager';
export * from './resources';
