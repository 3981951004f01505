/**
 * What the build needs to know about each bundled package: where it is
 * installed, its package.json, its style entry, schema directory and theme.
 * Shared by webpack.config.js, the plugin-modules loader and build.js.
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const labUiDir = join(__dirname, '..');
const pluginsFile = join(labUiDir, 'app', 'plugins.js');

/** The plugin lists of app/plugins.js, read fresh (the loader runs in a long-lived compiler). */
function readPluginLists() {
  delete require.cache[require.resolve(pluginsFile)];
  return require(pluginsFile);
}

/**
 * Directory of an installed package, found from lab-ui like webpack finds it.
 * `exports` maps may hide package.json, so walk node_modules folders instead
 * of require.resolve('<name>/package.json').
 */
function packageDir(name) {
  for (let dir = labUiDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Cannot find package ${name}: it is not installed (run npm install)`);
  }
}

/** The file holding a package's CSS: `styleModule`, then `style`, then style/index.js or style/index.css. */
function styleFile(dir, pkg) {
  const candidates = [pkg.styleModule, pkg.style, 'style/index.js', 'style/index.css'].filter((f) => typeof f === 'string');
  const found = candidates.map((f) => join(dir, f)).find((f) => existsSync(f));
  return found;
}

/**
 * @param {{ skipWorkspace?: boolean }} [options]
 * @returns {{ name: string, dir: string, pkg: any, kind: 'extension' | 'mimeExtension', style?: string, schemaDir?: string, themePath?: string }[]}
 */
function bundledPackages({ skipWorkspace = false } = {}) {
  const lists = readPluginLists();
  const pick = (names) => names.filter((n) => !(skipWorkspace && lists.isWorkspacePackage(n)));
  const describe = (name, kind) => {
    const dir = packageDir(name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const lab = pkg.jupyterlab ?? {};
    return {
      name,
      dir,
      pkg,
      kind,
      style: styleFile(dir, pkg),
      schemaDir: lab.schemaDir ? join(dir, lab.schemaDir) : undefined,
      themePath: lab.themePath ? join(dir, lab.themePath) : undefined,
    };
  };
  return [
    ...pick(lists.extensions).map((n) => describe(n, 'extension')),
    ...pick(lists.mimeExtensions).map((n) => describe(n, 'mimeExtension')),
  ];
}

module.exports = { labUiDir, pluginsFile, packageDir, bundledPackages, readPluginLists };
