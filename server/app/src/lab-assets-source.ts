/**
 * The JupyterLab build as the server sees it: looked up on every page
 * load (one stat of its manifest), re-read when the manifest changes, so a
 * UI built or rebuilt while the server runs is served without a restart.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@workbench/core';
import { LabAssets, loadLabAssets } from '@workbench/lab-ui';

export function labAssetsSource(buildDir: string, logger: Logger): () => LabAssets | undefined {
  let cached: { mtimeMs: number; assets: LabAssets | undefined } | undefined;
  return () => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(join(buildDir, 'manifest.json')).mtimeMs;
    } catch {
      cached = undefined;
      return undefined;
    }
    if (cached?.mtimeMs === mtimeMs) return cached.assets;
    try {
      cached = { mtimeMs, assets: loadLabAssets(buildDir) };
      if (cached.assets) logger.info({ build_dir: buildDir, version: cached.assets.version }, 'JupyterLab UI loaded');
    } catch (err) {
      // A manifest being written by a build in progress: keep what we had, try again next time.
      logger.warn({ build_dir: buildDir, err: (err as Error).message }, 'cannot read the JupyterLab build manifest');
      return cached?.assets;
    }
    return cached.assets;
  };
}
