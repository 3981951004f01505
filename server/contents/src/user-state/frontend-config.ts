/**
 * Frontend config sections (`/api/config/{section}`, jupyter_server
 * `services/config`), per user: `<user>/config/<section>.json`. PATCH is
 * jupyter_server's `recursive_update`: objects merge, `null` deletes a key,
 * emptied objects are pruned.
 */
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { UserFiles } from './user-files';

export type ConfigSection = Record<string, unknown>;

const SECTION = /^\w{1,128}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** jupyter_server `config_manager.recursive_update` (mutates target). */
export function recursiveUpdate(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(update)) {
    if (isObject(v)) {
      if (!isObject(target[k])) target[k] = {};
      recursiveUpdate(target[k] as Record<string, unknown>, v);
      if (Object.keys(target[k] as object).length === 0) delete target[k];
    } else if (v === null) {
      delete target[k];
    } else {
      target[k] = v;
    }
  }
}

export class FrontendConfigStore {
  constructor(private readonly files: UserFiles) {}

  async get(username: string, section: string): Promise<ConfigSection> {
    const file = await this.files.read(this.path(username, section));
    if (!file || file.text.trim() === '') return {};
    try {
      const v: unknown = JSON.parse(file.text);
      return isObject(v) ? v : {};
    } catch {
      return {}; // jupyter_server skips invalid JSON with a warning
    }
  }

  async set(username: string, section: string, data: unknown): Promise<void> {
    if (!isObject(data)) throw new AppError('bad_request', `Cannot set config section ${section}: the body must be a JSON object`);
    const path = this.path(username, section);
    await this.files.serial(path, () => this.files.write(path, JSON.stringify(data, null, 2)));
  }

  async update(username: string, section: string, data: unknown): Promise<ConfigSection> {
    if (!isObject(data)) throw new AppError('bad_request', `Cannot update config section ${section}: the body must be a JSON object`);
    const path = this.path(username, section);
    return this.files.serial(path, async () => {
      const current = await this.get(username, section);
      recursiveUpdate(current, data);
      await this.files.write(path, JSON.stringify(current, null, 2));
      return current;
    });
  }

  private path(username: string, section: string): string {
    if (!SECTION.test(section)) throw new AppError('not_found', `Cannot find config section ${JSON.stringify(section)}: a section name is letters, digits and "_"`);
    return join(this.files.dir(username, 'config'), `${section}.json`);
  }
}
