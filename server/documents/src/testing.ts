/** Test tooling (jest maps @workbench/documents/testing here; the package export is ./lib/testing/index.js). */
export * from './testing/index';
