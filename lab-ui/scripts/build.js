#!/usr/bin/env node
/**
 * Builds Workbench's JupyterLab into lab-ui/build/:
 *   static/            the webpack bundle (hashed names), served at {base}static/lab/
 *   schemas/<pkg>/     setting schemas + package.json.orig, read for /lab/api/settings
 *   themes/<pkg>/      index.css (+ assets) of the light and dark themes
 *   manifest.json      LabManifest (src/index.ts)
 *
 * Usage: node lab-ui/scripts/build.js [--force] [--dev] [--verbose]
 *   --force  rebuild even when the stamp matches
 *   --dev    development mode (unminified, source maps)
 *   --verbose  print webpack's warnings
 *   WORKBENCH_LAB_SKIP_WORKSPACE_EXTENSIONS=1 leaves out the @workbench/* extensions.
 *   WORKBENCH_LAB_CACHE=0 turns off webpack's persistent cache (lab-ui/node_modules/.cache/webpack).
 *
 * The build happens in a sibling temporary directory that replaces build/
 * only when it succeeded, so a failed build never leaves a half-written app.
 * Prints one summary line; exits 1 with webpack's errors on failure.
 */
'use strict';
const { existsSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { bundledPackages, labUiDir, packageDir } = require('./packages');
const { computeStamp } = require('./stamp');
const { copySchemas, copyFavicons, removeThemeStubs, writeManifest, sizeOf } = require('./assets');

const buildDir = join(labUiDir, 'build');
const stampFile = join(buildDir, '.stamp');

function parseArgs(argv) {
  const known = new Set(['--force', '--dev', '--verbose']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length > 0) throw new Error(`Cannot build: unknown option ${unknown.join(' ')} (use --force, --dev, --verbose)`);
  return {
    force: argv.includes('--force'),
    mode: argv.includes('--dev') ? 'development' : 'production',
    verbose: argv.includes('--verbose'),
    skipWorkspace: process.env.WORKBENCH_LAB_SKIP_WORKSPACE_EXTENSIONS === '1',
    cache: process.env.WORKBENCH_LAB_CACHE !== '0',
  };
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const seconds = () => `${process.uptime().toFixed(1)} s`;

/** Workspace extensions are compiled by `tsc -b`; say so instead of a webpack resolution error. */
function checkWorkspaceBuilt(packages) {
  const unbuilt = packages
    .filter((p) => p.name.startsWith('@workbench/'))
    .filter((p) => !existsSync(join(p.dir, p.pkg.main ?? 'index.js')))
    .map((p) => `${p.name} (${join(p.dir, p.pkg.main ?? 'index.js')})`);
  if (unbuilt.length > 0) {
    throw new Error(
      `Cannot build the JupyterLab UI: workspace extensions are not compiled: ${unbuilt.join(', ')}. ` +
        'Run `node node_modules/typescript/bin/tsc -b` first, or set WORKBENCH_LAB_SKIP_WORKSPACE_EXTENSIONS=1 to leave them out.',
    );
  }
}

function runWebpack(configs) {
  // Loaded only when building: the up-to-date path stays fast.
  const webpack = require('webpack');
  return new Promise((resolve, reject) => {
    const compiler = webpack(configs);
    compiler.run((err, stats) => {
      compiler.close((closeErr) => {
        if (err || closeErr) return reject(err ?? closeErr);
        if (stats.hasErrors()) {
          const text = stats.toString({ all: false, errors: true, errorDetails: true, moduleTrace: true });
          return reject(new Error(`Cannot build the JupyterLab UI: webpack reported errors\n${text}`));
        }
        resolve(stats);
      });
    });
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const stamp = computeStamp(options);
  if (!options.force && existsSync(join(buildDir, 'manifest.json')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
    console.log(`[lab-ui] JupyterLab UI up to date (${seconds()})`);
    return;
  }

  const packages = bundledPackages(options);
  checkWorkspaceBuilt(packages);
  const themes = packages.filter((p) => p.themePath).map((p) => ({ name: p.name, themePath: p.themePath }));
  const tmpDir = join(labUiDir, `build.tmp-${process.pid}`);
  rmSync(tmpDir, { recursive: true, force: true });

  try {
    const createConfigs = require('../webpack.config');
    const configs = createConfigs({
      mode: options.mode,
      outDir: tmpDir,
      skipWorkspace: options.skipWorkspace,
      themes,
      cacheDir: options.cache ? join(labUiDir, 'node_modules', '.cache', 'webpack') : undefined,
    });
    const multiStats = await runWebpack(configs);
    const appStats = multiStats.stats[0].toJson({ all: false, entrypoints: true });
    const main = appStats.entrypoints.main;
    const files = main.assets.map((a) => a.name);
    const entry = files.filter((f) => f.endsWith('.js'));
    const css = files.filter((f) => f.endsWith('.css'));

    removeThemeStubs(themes, tmpDir);
    const schemaCount = copySchemas(packages, tmpDir);
    const version = JSON.parse(readFileSync(join(packageDir('@jupyterlab/application'), 'package.json'), 'utf8')).version;
    const favicons = copyFavicons(join(labUiDir, 'app', 'favicons'), tmpDir);
    const manifest = writeManifest({ buildDir: tmpDir, version, entry, css, favicons, packages });
    writeFileSync(join(tmpDir, '.stamp'), stamp + '\n');

    // Swap in the new build.
    const oldDir = join(labUiDir, `build.old-${process.pid}`);
    if (existsSync(buildDir)) renameSync(buildDir, oldDir);
    renameSync(tmpDir, buildDir);
    rmSync(oldDir, { recursive: true, force: true });

    const warnings = multiStats.stats.reduce((n, s) => n + s.compilation.warnings.length, 0);
    if (options.verbose && warnings > 0) console.error(multiStats.toString({ all: false, warnings: true }));
    console.log(
      `[lab-ui] built JupyterLab ${version} UI (${options.mode}${options.skipWorkspace ? ', without workspace extensions' : ''}) in ${seconds()}: ` +
        `${manifest.extensions.length} extensions + ${manifest.mimeExtensions.length} mime extensions, ${schemaCount} schemas, ` +
        `static ${mb(manifest.bundleBytes)}, initial JS ${mb(sizeOf(buildDir, entry))} + CSS ${mb(sizeOf(buildDir, css))}` +
        (warnings ? `, ${warnings} webpack warnings (--verbose shows them)` : ''),
    );
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`[lab-ui] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
