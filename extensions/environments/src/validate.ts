/**
 * Trust boundary: the environments API's JSON is checked here once. A
 * mismatch becomes an EnvironmentsError('invalid_response') naming the
 * first wrong field.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { EnvironmentsError } from './environments-api';
import type { EnvironmentInfo, EnvironmentsAbilities } from './types';

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, EnvironmentsError);
  }
  number(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'a number');
    return v;
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
}

/** `GET api/environments`. */
export function readEnvironments(json: unknown): EnvironmentInfo[] {
  const r = new Reader('the environments');
  return r.array(json, 'the answer').map((v, i) => {
    const o = r.object(v, `[${i}]`);
    return {
      id: r.string(o.id, `[${i}].id`),
      project: r.string(o.project, `[${i}].project`),
      file: r.string(o.file, `[${i}].file`),
      builtAt: r.number(o.builtAt, `[${i}].builtAt`),
      lastUsedAt: r.number(o.lastUsedAt, `[${i}].lastUsedAt`),
      sizeBytes: r.number(o.sizeBytes, `[${i}].sizeBytes`),
      current: r.boolean(o.current, `[${i}].current`),
      inUse: r.boolean(o.inUse, `[${i}].inUse`),
    };
  });
}

/** `POST api/environments/prune`. */
export function readPruned(json: unknown): string[] {
  const r = new Reader('the prune');
  return r.strings(r.object(json, 'the answer').removed, 'removed');
}

/** `GET api/me?permissions=`. */
export function readAbilities(json: unknown): EnvironmentsAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const actions = permissions.environments === undefined ? [] : r.strings(permissions.environments, 'permissions.environments');
  return { read: actions.includes('read'), write: actions.includes('write') };
}
