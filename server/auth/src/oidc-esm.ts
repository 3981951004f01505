/**
 * openid-client 6 is ESM-only and this package is CommonJS. It is loaded
 * through Node's own `require` (Node >= 20.19 can require an ES module
 * without top-level await; jest's module registry cannot, and
 * `process.getBuiltinModule` bypasses it, as in server/collab's yjs.ts).
 * Loaded on first use: nothing happens at import.
 */
import type * as OpenIdClientNs from 'openid-client' with { 'resolution-mode': 'import' };

export type OpenIdClient = typeof OpenIdClientNs;
export type { OpenIdClientNs };

let loaded: OpenIdClient | undefined;

export function openidClient(): OpenIdClient {
  loaded ??= process.getBuiltinModule('node:module').createRequire(__filename)('openid-client') as OpenIdClient;
  return loaded;
}
