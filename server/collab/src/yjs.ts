/**
 * The one door to Yjs and its ecosystem. yjs ships a CJS and an ESM build;
 * @jupyter/ydoc is ESM-only and imports the ESM build. Loading yjs from this
 * CommonJS package with a plain `require('yjs')` would give a second Yjs
 * instance ("Yjs was already imported"), and documents built by one cannot
 * be read by the other. So every module here is loaded through Node's own
 * `require` (which can load ES modules; jest's registry cannot, and
 * `process.getBuiltinModule` bypasses it) from the ESM files, by absolute
 * path past the exports maps, so that yjs, y-protocols, lib0 and
 * @jupyter/ydoc share one instance. Modules load on first use (no I/O at
 * import).
 */
import { dirname, join } from 'node:path';
import type * as YNs from 'yjs' with { 'resolution-mode': 'import' };
import type * as SyncNs from 'y-protocols/sync' with { 'resolution-mode': 'import' };
import type * as AwarenessNs from 'y-protocols/awareness' with { 'resolution-mode': 'import' };
import type * as EncodingNs from 'lib0/encoding' with { 'resolution-mode': 'import' };
import type * as DecodingNs from 'lib0/decoding' with { 'resolution-mode': 'import' };
import type * as YDocNs from '@jupyter/ydoc' with { 'resolution-mode': 'import' };

export type { YNs as YTypes, YDocNs as YDocTypes, AwarenessNs as AwarenessTypes };
export type YModule = typeof YNs;
export type SyncModule = typeof SyncNs;
export type AwarenessModule = typeof AwarenessNs;
export type EncodingModule = typeof EncodingNs;
export type DecodingModule = typeof DecodingNs;
export type JupyterYDocModule = typeof YDocNs;

type NodeRequire = (id: string) => unknown;
let nodeRequire: (NodeRequire & { resolve(id: string): string }) | undefined;

function req(): NodeRequire & { resolve(id: string): string } {
  nodeRequire ??= process.getBuiltinModule('node:module').createRequire(__filename);
  return nodeRequire;
}

/** The directory of an installed package (found through its package.json, which every exports map here allows). */
function packageDir(name: string): string {
  return dirname(req().resolve(`${name}/package.json`));
}

const cache = new Map<string, unknown>();

/** Load the ESM file `file` of package `pkg` (or the package's ESM entry through the "import" condition when `file` is undefined). */
export function loadEsm<T>(pkg: string, file?: string): T {
  const key = `${pkg}:${file ?? ''}`;
  let mod = cache.get(key);
  if (mod === undefined) {
    mod = req()(file === undefined ? pkg : join(packageDir(pkg), file));
    cache.set(key, mod);
  }
  return mod as T;
}

/** yjs, the ESM build (the one @jupyter/ydoc and y-protocols import). */
export const Y = (): YModule => loadEsm<YModule>('yjs', 'dist/yjs.mjs');
export const syncProtocol = (): SyncModule => loadEsm<SyncModule>('y-protocols', 'sync.js');
export const awarenessProtocol = (): AwarenessModule => loadEsm<AwarenessModule>('y-protocols', 'awareness.js');
export const encoding = (): EncodingModule => loadEsm<EncodingModule>('lib0', 'encoding.js');
export const decoding = (): DecodingModule => loadEsm<DecodingModule>('lib0', 'decoding.js');
/** @jupyter/ydoc: YNotebook, YFile (ESM-only; its `yjs` import resolves to the same dist/yjs.mjs). */
export const jupyterYDoc = (): JupyterYDocModule => loadEsm<JupyterYDocModule>('@jupyter/ydoc');

let nodeJSON: JSON | undefined;
/**
 * A copy of JSON data made in Node's own realm. yjs accepts plain objects
 * and arrays in maps only when their constructor is its realm's Object or
 * Array; under jest our code runs in another realm, so JSON values are
 * copied before they are handed to yjs (in production this is a plain deep copy).
 */
export function toYjsJSON<T>(value: T): T {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  nodeJSON ??= process.getBuiltinModule('node:vm').runInThisContext('JSON') as JSON;
  return nodeJSON.parse(JSON.stringify(value)) as T;
}
