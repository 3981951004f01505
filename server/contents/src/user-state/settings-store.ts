/**
 * JupyterLab's settings API (jupyterlab_server `settings_utils.py`), per
 * user. Schemas come from the application build
 * (`<schemas>/<package>/<plugin>.json`, version from the
 * `package.json.orig` beside them); a user's settings are the raw JSON5
 * text JupyterLab sent, comments included, stored verbatim in
 * `<user>/settings/<package>/<plugin>.jupyterlab-settings` (the layout of
 * `~/.jupyter/lab/user-settings`). `settings` in a reply is that text
 * parsed, as jupyterlab_server returns it; the frontend merges the schema
 * defaults itself. A save is parsed and validated first and refused (400)
 * without touching the file when either fails.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import JSON5 from 'json5';
import { AppError, Logger, silentLogger } from '@workbench/core';
import { fileTimes, UserFiles } from './user-files';

export const SETTINGS_EXTENSION = '.jupyterlab-settings';

export interface PluginSettings {
  id: string;
  raw: string;
  schema: Record<string, unknown>;
  settings: Record<string, unknown>;
  version: string;
  last_modified: string | null;
  created: string | null;
}

export interface SettingsStoreOptions {
  files: UserFiles;
  /** The build's schema folder; undefined while the UI is not built (then there are no settings). */
  schemasDir: () => string | undefined;
  logger?: Logger;
}

interface LoadedSchema {
  mtimeMs: number;
  schema: Record<string, unknown>;
  /** Compiled on first use: most plugins have no user settings, and compiling all ~70 schemas costs seconds. */
  validator?: ValidateFunction;
  version: string;
}

const PACKAGE = /^(@[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;
const PLUGIN = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

/** "<package>:<plugin>" -> its two halves, or a 404 for anything that cannot name a schema file. */
export function parsePluginId(id: string): { pkg: string; plugin: string } {
  const parts = id.split(':');
  if (parts.length !== 2 || !PACKAGE.test(parts[0]!) || !PLUGIN.test(parts[1]!)) throw new AppError('not_found', `Cannot find settings for ${id}: not a plugin id ("<package>:<plugin>")`);
  return { pkg: parts[0]!, plugin: parts[1]! };
}

export class SettingsStore {
  private readonly schemas = new Map<string, LoadedSchema>();
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });
  private readonly logger: Logger;

  constructor(private readonly options: SettingsStoreOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Every plugin with a schema, ids in reverse order as jupyterlab_server lists them. */
  async list(username: string, opts: { idsOnly?: boolean } = {}): Promise<{ settings: PluginSettings[] | { id: string }[] }> {
    const dir = this.options.schemasDir();
    if (!dir) return { settings: [] };
    const ids = (await schemaIds(dir)).sort().reverse();
    if (opts.idsOnly) return { settings: ids.map((id) => ({ id })) };
    return { settings: await Promise.all(ids.map((id) => this.get(username, id))) };
  }

  async get(username: string, id: string): Promise<PluginSettings> {
    const loaded = await this.schema(id);
    const path = this.userPath(username, id);
    const file = await this.options.files.read(path);
    let raw = file?.text || '{}';
    let settings: Record<string, unknown> = {};
    try {
      settings = parseRaw(raw);
      const validate = Object.keys(settings).length > 0 ? this.validator(id, loaded) : undefined;
      if (validate && !validate(settings)) throw new Error(validationMessage(validate));
    } catch (err) {
      // As jupyterlab_server: settings that no longer fit the schema are reported and ignored, not fatal.
      this.logger.warn({ plugin: id, err: (err as Error).message }, 'ignoring invalid user settings');
      raw = '{}';
      settings = {};
    }
    return { id, raw, schema: loaded.schema, settings, version: loaded.version, ...fileTimes(file?.stats) };
  }

  async save(username: string, id: string, raw: string): Promise<void> {
    const loaded = await this.schema(id);
    let parsed: Record<string, unknown>;
    try {
      parsed = parseRaw(raw);
    } catch (err) {
      throw new AppError('bad_request', `Cannot save settings for ${id}: ${(err as Error).message}`);
    }
    const validate = this.validator(id, loaded);
    if (!validate(parsed)) throw new AppError('bad_request', `Cannot save settings for ${id}: Failed validating input: ${validationMessage(validate)}`);
    const path = this.userPath(username, id);
    await this.options.files.serial(path, () => this.options.files.write(path, raw));
  }

  private userPath(username: string, id: string): string {
    const { pkg, plugin } = parsePluginId(id);
    return join(this.options.files.dir(username, 'settings'), pkg, plugin + SETTINGS_EXTENSION);
  }

  private async schema(id: string): Promise<LoadedSchema> {
    const { pkg, plugin } = parsePluginId(id);
    const dir = this.options.schemasDir();
    if (!dir) throw new AppError('not_found', `Cannot find settings for ${id}: the JupyterLab UI is not built, so there are no schemas`);
    const path = resolve(dir, pkg, `${plugin}.json`);
    if (!path.startsWith(resolve(dir) + sep)) throw new AppError('not_found', `Cannot find settings for ${id}: no such schema`);
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(path)).mtimeMs;
    } catch {
      throw new AppError('not_found', `Cannot find settings for ${id}: Schema not found`);
    }
    const cached = this.schemas.get(id);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    let schema: Record<string, unknown>;
    try {
      schema = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new AppError('internal', `Cannot load the settings schema of ${id}: ${(err as Error).message}`, { cause: err });
    }
    const loaded: LoadedSchema = { mtimeMs, schema, version: await packageVersion(join(dir, pkg)) };
    this.schemas.set(id, loaded);
    return loaded;
  }

  private validator(id: string, loaded: LoadedSchema): ValidateFunction {
    if (!loaded.validator) {
      const { $schema: _s, $id: _i, ...forAjv } = loaded.schema;
      try {
        loaded.validator = this.ajv.compile(forAjv);
      } catch (err) {
        // A schema ajv cannot compile must not take the whole settings API down: accept, and say so.
        this.logger.warn({ plugin: id, err: (err as Error).message }, 'cannot compile settings schema; not validating its settings');
        loaded.validator = this.ajv.compile({});
      }
    }
    return loaded.validator;
  }
}

function parseRaw(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON5.parse(raw);
  } catch (err) {
    throw new Error(`Failed parsing JSON5: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('Failed parsing JSON5: settings must be an object');
  return value as Record<string, unknown>;
}

function validationMessage(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'invalid';
  const extra = e.params && 'additionalProperty' in e.params ? ` (${String((e.params as { additionalProperty: unknown }).additionalProperty)})` : '';
  return `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${extra}`;
}

async function packageVersion(dir: string): Promise<string> {
  try {
    return String((JSON.parse(await readFile(join(dir, 'package.json.orig'), 'utf8')) as { version?: unknown }).version ?? 'N/A');
  } catch {
    return 'N/A';
  }
}

/** "<package>:<plugin>" for every `*.json` under the schema folder. */
async function schemaIds(root: string): Promise<string[]> {
  const ids: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name.endsWith('.json') && dir !== root) {
        ids.push(`${relative(root, dir).split(sep).join('/')}:${e.name.slice(0, -'.json'.length)}`);
      }
    }
  };
  await walk(root);
  return ids.filter((id) => {
    try {
      parsePluginId(id);
      return true;
    } catch {
      return false;
    }
  });
}
