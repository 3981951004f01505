/**
 * The cluster simulator's etcd + watch cache: objects by resource, one
 * global resourceVersion that every write bumps (as an etcd revision), a
 * bounded event history for resuming watches, and compaction (a watch from
 * before it gets 410 Gone, as from a real API server). Objects are plain
 * JSON, deep-copied in and out.
 */
import { randomUUID } from 'node:crypto';
import { Emitter } from '@workbench/core';

export type Resource = 'namespaces' | 'pods' | 'secrets';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  [k: string]: unknown;
}

/** JSON in the shape of the Kubernetes API; the simulator reads fields where it needs them. */
export type KObject = { metadata: ObjectMeta; [k: string]: any };

export interface StoreEvent {
  type: EventType;
  resource: Resource;
  namespace: string | undefined;
  rv: number;
  object: KObject;
}

/** An error the API server answers with a Status object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

const KINDS: Record<Resource, string> = { namespaces: 'Namespace', pods: 'Pod', secrets: 'Secret' };

export function notFound(resource: Resource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`) and `a in (x,y)` / `a notin (x,y)`. */
export function parseLabelSelector(s: string | null): (labels: Record<string, string> | undefined) => boolean {
  if (!s) return () => true;
  const reqs: ((l: Record<string, string>) => boolean)[] = [];
  for (const part of s.match(/[^,(]+(\([^)]*\))?/g) ?? []) {
    const p = part.trim().replace(/^,/, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const [, key, op, vals] = m;
      const set = new Set(vals!.split(',').map((v) => v.trim()));
      reqs.push((l) => (op === 'in' ? key! in l && set.has(l[key!]!) : !(key! in l) || !set.has(l[key!]!)));
    } else if ((m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(p))) {
      const [, key, op, val] = m;
      reqs.push((l) => (op === '!=' ? l[key!] !== val : l[key!] === val));
    } else if ((m = /^!([^\s!=]+)$/.exec(p))) {
      const key = m[1]!;
      reqs.push((l) => !(key in l));
    } else if ((m = /^([^\s!=]+)$/.exec(p))) {
      const key = m[1]!;
      reqs.push((l) => key in l);
    } else {
      throw new ApiError(400, 'BadRequest', `unable to parse requirement: ${JSON.stringify(p)}`);
    }
  }
  return (labels) => reqs.every((r) => r(labels ?? {}));
}

/** Field selectors on metadata.name and metadata.namespace, as the API supports for every resource. */
export function parseFieldSelector(s: string | null): (o: KObject) => boolean {
  if (!s) return () => true;
  const reqs: ((o: KObject) => boolean)[] = [];
  for (const p of s.split(',')) {
    const m = /^\s*([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)\s*$/.exec(p);
    if (!m) throw new ApiError(400, 'BadRequest', `invalid selector: '${s}'; can't understand '${p}'`);
    const [, field, op, val] = m;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') throw new ApiError(400, 'BadRequest', `field label not supported: ${field}`);
    const get = (o: KObject) => (field === 'metadata.name' ? o.metadata.name : (o.metadata.namespace ?? ''));
    reqs.push((o) => (op === '!=' ? get(o) !== val : get(o) === val));
  }
  return (o) => reqs.every((r) => r(o));
}

export interface WatchFilter {
  resource: Resource;
  namespace: string | undefined;
  labels: (l: Record<string, string> | undefined) => boolean;
  fields: (o: KObject) => boolean;
}

function matches(f: WatchFilter, resource: Resource, namespace: string | undefined, o: KObject): boolean {
  return f.resource === resource && (f.namespace === undefined || f.namespace === namespace) && f.labels(o.metadata.labels) && f.fields(o);
}

export class SimStore {
  private rv = 1000;
  private readonly objects = new Map<string, KObject>();
  private history: StoreEvent[] = [];
  private compactedRv = 0;
  private readonly changeEmitter = new Emitter<StoreEvent>();
  /** Every write, after it happened (watch streams, kubelet, tests). */
  readonly onChange = this.changeEmitter.event;

  constructor(private readonly historyLimit = 10_000) {}

  get resourceVersion(): string {
    return String(this.rv);
  }

  private key(resource: Resource, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  get(resource: Resource, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.objects.get(this.key(resource, namespace, name));
    return o && structuredClone(o);
  }

  mustGet(resource: Resource, namespace: string | undefined, name: string): KObject {
    const o = this.get(resource, namespace, name);
    if (!o) throw notFound(resource, name);
    return o;
  }

  list(resource: Resource, namespace: string | undefined, filter?: Omit<WatchFilter, 'resource' | 'namespace'>): KObject[] {
    const out: KObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(`${resource}/`)) continue;
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (filter && !(filter.labels(o.metadata.labels) && filter.fields(o))) continue;
      out.push(structuredClone(o));
    }
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  create(resource: Resource, namespace: string | undefined, obj: KObject): KObject {
    const k = this.key(resource, namespace, obj.metadata.name);
    if (this.objects.has(k)) throw new ApiError(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: resource });
    const o = structuredClone(obj);
    o.apiVersion = 'v1';
    o.kind = KINDS[resource];
    o.metadata = { ...o.metadata, ...(namespace ? { namespace } : {}), uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    return this.write('ADDED', resource, namespace, k, o);
  }

  /** Change an object in place; undefined when it no longer exists. */
  update(resource: Resource, namespace: string | undefined, name: string, mutate: (o: KObject) => void): KObject | undefined {
    const k = this.key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    const o = structuredClone(cur);
    mutate(o);
    return this.write('MODIFIED', resource, namespace, k, o);
  }

  remove(resource: Resource, namespace: string | undefined, name: string): KObject | undefined {
    const k = this.key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    this.objects.delete(k);
    return this.write('DELETED', resource, namespace, k, structuredClone(cur), true);
  }

  private write(type: EventType, resource: Resource, namespace: string | undefined, k: string, o: KObject, deleted = false): KObject {
    this.rv++;
    o.metadata.resourceVersion = String(this.rv);
    if (!deleted) this.objects.set(k, o);
    const ev: StoreEvent = { type, resource, namespace, rv: this.rv, object: structuredClone(o) };
    this.history.push(ev);
    if (this.history.length > this.historyLimit) this.compactedRv = this.history.splice(0, this.history.length - this.historyLimit).at(-1)!.rv;
    this.changeEmitter.fire(ev);
    return structuredClone(o);
  }

  /** Forget the event history: watches resuming from before now get 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /**
   * Events for a watch starting at `fromRv`: current objects as ADDED when
   * it is unset or "0", else the history after it. Throws 410 Gone when that
   * history was compacted away.
   */
  replay(filter: WatchFilter, fromRv: string | null): StoreEvent[] {
    if (fromRv === null || fromRv === '' || fromRv === '0') {
      return this.list(filter.resource, filter.namespace, filter).map((object) => ({ type: 'ADDED', resource: filter.resource, namespace: object.metadata.namespace, rv: this.rv, object }));
    }
    const from = Number(fromRv);
    if (!Number.isInteger(from) || from < 0) throw new ApiError(400, 'BadRequest', `invalid resource version: ${JSON.stringify(fromRv)}`);
    if (from < this.compactedRv) throw new ApiError(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`);
    return this.history.filter((e) => e.rv > from && matches(filter, e.resource, e.namespace, e.object)).map((e) => ({ ...e, object: structuredClone(e.object) }));
  }

  matches(filter: WatchFilter, ev: StoreEvent): boolean {
    return matches(filter, ev.resource, ev.namespace, ev.object);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
