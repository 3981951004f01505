export * from './local-launcher';
export { PortAllocator } from './ports';
