/**
 * The build stamp: one hash over everything the bundle is made from, so
 * build.js can skip webpack when nothing changed. Inputs: lab-ui's
 * package.json, webpack config, app/ and scripts/ (not smoke.js); the installed versions of
 * lab-ui's dependencies; the workspace extensions' package.json, lib/ and
 * style/ (extensions/*); and the build options.
 */
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const { labUiDir, packageDir } = require('./packages');

const repoRoot = join(labUiDir, '..');

/** Files under `dir`, recursively, sorted; missing directory = none. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** @param {{ mode: string, skipWorkspace: boolean }} options */
function computeStamp({ mode, skipWorkspace }) {
  const hash = createHash('sha256');
  const addFile = (file) => {
    hash.update(`${relative(repoRoot, file)}\0`);
    hash.update(existsSync(file) ? readFileSync(file) : '<missing>');
    hash.update('\0');
  };
  hash.update(JSON.stringify({ mode, skipWorkspace }));

  const labPackage = join(labUiDir, 'package.json');
  addFile(labPackage);
  addFile(join(labUiDir, 'webpack.config.js'));
  listFiles(join(labUiDir, 'app')).forEach(addFile);
  // scripts/ minus the smoke test, which reads the build and makes nothing.
  listFiles(join(labUiDir, 'scripts')).filter((f) => !f.endsWith('smoke.js')).forEach(addFile);

  const pkg = JSON.parse(readFileSync(labPackage, 'utf8'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort()) {
    if (skipWorkspace && name.startsWith('@workbench/')) continue;
    let version = '<missing>';
    try {
      version = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')).version;
    } catch {
      // A missing package is part of the state; the build itself reports it.
    }
    hash.update(`${name}@${version}\n`);
  }

  if (!skipWorkspace) {
    const extensionsDir = join(repoRoot, 'extensions');
    const dirs = existsSync(extensionsDir) ? readdirSync(extensionsDir).sort() : [];
    for (const d of dirs) {
      const dir = join(extensionsDir, d);
      if (!statSync(dir).isDirectory()) continue;
      addFile(join(dir, 'package.json'));
      listFiles(join(dir, 'lib')).filter((f) => !f.endsWith('.map') && !f.endsWith('.d.ts')).forEach(addFile);
      listFiles(join(dir, 'style')).forEach(addFile);
    }
  }
  return hash.digest('hex');
}

module.exports = { computeStamp, listFiles };
