/**
 * `@workbench/odoo/testing` under jest: the repository's jest config maps a
 * package subpath to `src/<subpath>.ts`, while Node resolves the package's
 * `exports` to `lib/testing/index.js`. Both land on the same module.
 */
export * from './testing/index';
