#!/usr/bin/env node
/**
 * Copies the server's config JSON Schema (configJsonSchema() of the built
 * @workbench/app, i.e. server/app/lib) into helm/workbench/values.schema.json
 * as its `config` property, so the chart refuses at install time any config
 * the server would refuse at start.
 *
 * Usage (after building): node deploy/scripts/sync-values-schema.js [--check]
 *   --check  change nothing; exit 1 when the copy is out of date.
 *
 * The copy drops the server schema's top-level `$schema` (a subschema has
 * none; values.schema.json declares draft-07 for Helm's validator, and the
 * server schema only uses keywords draft-07 has, which the tests verify).
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { isDeepStrictEqual } = require('node:util');
const { join } = require('node:path');

const file = join(__dirname, '..', '..', 'helm', 'workbench', 'values.schema.json');

function serverSchema() {
  let app;
  try {
    app = require('@workbench/app');
  } catch (err) {
    process.stderr.write(`sync-values-schema: Cannot load the built server (${err.message}); build first: node node_modules/typescript/bin/tsc -b\n`);
    process.exit(1);
  }
  const { $schema: _ignored, ...rest } = app.configJsonSchema();
  return rest;
}

function main(argv) {
  const check = argv.includes('--check');
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  const wanted = serverSchema();
  if (isDeepStrictEqual(schema.properties.config, wanted)) {
    process.stdout.write('values.schema.json: config is up to date\n');
    return;
  }
  if (check) {
    process.stderr.write('values.schema.json: config differs from the server config schema; run node deploy/scripts/sync-values-schema.js\n');
    process.exit(1);
  }
  schema.properties.config = wanted;
  writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  process.stdout.write('values.schema.json: config updated from the server config schema\n');
}

main(process.argv.slice(2));
