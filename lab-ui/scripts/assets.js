/**
 * The non-webpack outputs: setting schemas (build/schemas/<package>/),
 * favicons, the manifest (build/manifest.json, see LabManifest in
 * src/index.ts) and the cleanup of the theme builds. Reimplements what @jupyterlab/builder's
 * Build.ensureAssets does for schemas.
 */
'use strict';
const { createHash } = require('node:crypto');
const { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { listFiles } = require('./stamp');

/**
 * schemas/<name>/<plugin>.json for every package declaring jupyterlab.schemaDir,
 * plus schemas/<name>/package.json.orig, which JupyterLab's settings API reads
 * for the package version.
 */
function copySchemas(packages, buildDir) {
  let count = 0;
  for (const p of packages) {
    if (!p.schemaDir) continue;
    const destination = join(buildDir, 'schemas', ...p.name.split('/'));
    mkdirSync(destination, { recursive: true });
    for (const file of readdirSync(p.schemaDir)) {
      if (!file.endsWith('.json') || !statSync(join(p.schemaDir, file)).isFile()) continue;
      copyFileSync(join(p.schemaDir, file), join(destination, file));
      count++;
    }
    copyFileSync(join(p.dir, 'package.json'), join(destination, 'package.json.orig'));
  }
  return count;
}

/** The theme builds emit an index.js stub beside index.css; only the CSS and its assets are served. */
function removeThemeStubs(themes, buildDir) {
  for (const { name } of themes) {
    const dir = join(buildDir, 'themes', ...name.split('/'));
    for (const f of readdirSync(dir)) if (f.endsWith('.js') || f.endsWith('.LICENSE.txt')) rmSync(join(dir, f));
  }
}

/** app/favicons/*.svg into static/ under content-hashed names; returns LabManifest.favicons. */
function copyFavicons(faviconsDir, buildDir) {
  const copy = (file) => {
    const content = readFileSync(join(faviconsDir, file));
    const hashed = file.replace(/\.svg$/, `.${createHash('sha256').update(content).digest('hex').slice(0, 16)}.svg`);
    writeFileSync(join(buildDir, 'static', hashed), content);
    return hashed;
  };
  return { idle: copy('favicon.svg'), busy: copy('favicon-busy.svg') };
}

/**
 * @param {{ buildDir: string, version: string, entry: string[], css: string[], favicons: { idle: string, busy: string },
 *           packages: { name: string, kind: string }[] }} input
 */
function writeManifest({ buildDir, version, entry, css, favicons, packages }) {
  const staticDir = join(buildDir, 'static');
  const bundleBytes = listFiles(staticDir).reduce((sum, f) => sum + statSync(f).size, 0);
  const manifest = {
    version,
    appName: 'Workbench',
    entry,
    css,
    extensions: packages.filter((p) => p.kind === 'extension').map((p) => p.name),
    mimeExtensions: packages.filter((p) => p.kind === 'mimeExtension').map((p) => p.name),
    bundleBytes,
    favicons,
  };
  writeFileSync(join(buildDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Sizes of the given static files (relative to static/). */
function sizeOf(buildDir, files) {
  return files.reduce((sum, f) => sum + statSync(join(buildDir, 'static', f)).size, 0);
}

module.exports = { copySchemas, copyFavicons, removeThemeStubs, writeManifest, sizeOf };
