/**
 * Create-time validation and defaulting of the simulator's three kinds, as
 * the API server does it (pkg/apis/core/validation): a 422 Invalid Status
 * with one cause per bad field, defaults filled in (restartPolicy, requests
 * from limits, imagePullPolicy...), write-only fields folded (a Secret's
 * stringData into data). Only the rules kernel pods can run into.
 */
import { isDnsLabel, isDnsSubdomain, isLabelValue } from '../names';
import { parseQuantity } from '../quantity';
import { ApiError, KObject, Resource } from './sim-store';

const KIND: Record<Resource, string> = { namespaces: 'Namespace', pods: 'Pod', secrets: 'Secret' };
const SUBDOMAIN_HELP =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_HELP =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

class Causes {
  readonly list: { reason: string; message: string; field: string }[] = [];
  add(field: string, reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotFound' | 'FieldValueNotSupported', message: string): void {
    this.list.push({ reason, message, field });
  }
  invalid(field: string, value: unknown, why: string): void {
    this.add(field, 'FieldValueInvalid', `Invalid value: ${JSON.stringify(value)}: ${why}`);
  }
  throwIfAny(kind: string, name: string): void {
    if (this.list.length === 0) return;
    const parts = this.list.map((c) => `${c.field}: ${c.message}`);
    const message = `${kind} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
    throw new ApiError(422, 'Invalid', message, { name, kind, causes: this.list });
  }
}

/** Validate and default an object POSTed to `resource` in `namespace`; the store then names and versions it. */
export function prepareCreate(resource: Resource, namespace: string | undefined, body: unknown): KObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'BadRequest', 'the request body is not a JSON object');
  const o = structuredClone(body) as KObject;
  const kind = KIND[resource];
  if (o.kind !== undefined && o.kind !== kind) throw new ApiError(400, 'BadRequest', `the API version in the data (${o.apiVersion}) does not match the expected API version (v1) or kind ${o.kind} is not ${kind}`);
  if (typeof o.metadata !== 'object' || o.metadata === null) o.metadata = { name: '' };
  const meta = o.metadata;
  if (namespace && meta.namespace && meta.namespace !== namespace) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  const name = typeof meta.name === 'string' ? meta.name : '';
  const causes = new Causes();
  if (!name) causes.add('metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required');
  else if (resource === 'namespaces' ? !isDnsLabel(name) : !isDnsSubdomain(name)) causes.invalid('metadata.name', name, resource === 'namespaces' ? LABEL_HELP : SUBDOMAIN_HELP);
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!LABEL_KEY.test(k) || k.length > 316) causes.invalid('metadata.labels', k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\'');
    if (typeof v !== 'string' || !isLabelValue(v)) causes.invalid('metadata.labels', v, LABEL_VALUE_HELP);
  }
  delete o.status;
  if (resource === 'secrets') prepareSecret(o, causes);
  if (resource === 'namespaces') {
    meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': name };
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: 'Active' };
  }
  if (resource === 'pods') preparePod(o, causes);
  causes.throwIfAny(kind, name);
  return o;
}

function prepareSecret(o: KObject, causes: Causes): void {
  const data: Record<string, string> = { ...(o.data ?? {}) };
  for (const [k, v] of Object.entries((o.stringData ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string') causes.invalid(`stringData[${k}]`, v, 'must be a string');
    else data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  for (const [k, v] of Object.entries(data)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k)) causes.invalid(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) causes.invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data');
  }
  delete o.stringData;
  o.data = data;
  o.type ??= 'Opaque';
}

interface Container {
  name?: unknown;
  image?: unknown;
  imagePullPolicy?: string;
  env?: { name?: unknown; value?: unknown }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name?: unknown; mountPath?: unknown; subPath?: unknown }[];
  [k: string]: unknown;
}

function preparePod(o: KObject, causes: Causes): void {
  if (typeof o.spec !== 'object' || o.spec === null) {
    causes.add('spec', 'FieldValueRequired', 'Required value');
    return;
  }
  const spec = o.spec;
  spec.restartPolicy ??= 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) causes.add('spec.restartPolicy', 'FieldValueNotSupported', `Unsupported value: ${JSON.stringify(spec.restartPolicy)}: supported values: "Always", "OnFailure", "Never"`);
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  const volumes = new Set<string>();
  for (const [i, v] of ((spec.volumes ?? []) as { name?: unknown }[]).entries()) {
    if (typeof v.name !== 'string' || !isDnsLabel(v.name)) causes.invalid(`spec.volumes[${i}].name`, v.name, LABEL_HELP);
    else if (volumes.has(v.name)) causes.add(`spec.volumes[${i}].name`, 'FieldValueInvalid', `Duplicate value: ${JSON.stringify(v.name)}`);
    else volumes.add(v.name);
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.add('spec.containers', 'FieldValueRequired', 'Required value');
  const names = new Set<string>();
  let qos: 'Guaranteed' | 'Burstable' | 'BestEffort' | undefined;
  for (const [list, path] of [
    [spec.initContainers ?? [], 'spec.initContainers'],
    [spec.containers ?? [], 'spec.containers'],
  ] as [Container[], string][]) {
    for (const [i, c] of list.entries()) {
      const at = `${path}[${i}]`;
      if (typeof c.name !== 'string' || !isDnsLabel(c.name)) causes.invalid(`${at}.name`, c.name, LABEL_HELP);
      else if (names.has(c.name)) causes.add(`${at}.name`, 'FieldValueInvalid', `Duplicate value: ${JSON.stringify(c.name)}`);
      else names.add(c.name);
      if (typeof c.image !== 'string' || c.image.trim() === '') causes.add(`${at}.image`, 'FieldValueRequired', 'Required value');
      else c.imagePullPolicy ??= /:latest$|^[^:]+$/.test(c.image.split('/').pop()!) ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      for (const [j, e] of (c.env ?? []).entries()) {
        if (typeof e.name !== 'string' || e.name === '' || e.name.includes('=')) causes.invalid(`${at}.env[${j}].name`, e.name, 'a valid environment variable name must consist only of printable ASCII characters other than \'=\'');
        if (e.value !== undefined && typeof e.value !== 'string') causes.invalid(`${at}.env[${j}].value`, e.value, 'must be a string');
      }
      for (const [j, m] of (c.volumeMounts ?? []).entries()) {
        if (typeof m.name !== 'string' || !volumes.has(m.name)) causes.add(`${at}.volumeMounts[${j}].name`, 'FieldValueNotFound', `Not found: ${JSON.stringify(m.name)}`);
        if (typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/')) causes.invalid(`${at}.volumeMounts[${j}].mountPath`, m.mountPath, 'must be an absolute path');
        if (m.subPath !== undefined && (typeof m.subPath !== 'string' || m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) causes.invalid(`${at}.volumeMounts[${j}].subPath`, m.subPath, "must be a relative path without '..'");
      }
      const r = (c.resources ??= {});
      const requests: Record<string, string> = { ...(r.limits ?? {}), ...(r.requests ?? {}) };
      for (const [k, v] of Object.entries(requests)) {
        let req: number;
        try {
          req = parseQuantity(v);
        } catch {
          causes.invalid(`${at}.resources.requests[${k}]`, v, "must match the regex '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
          continue;
        }
        const lim = r.limits?.[k];
        if (lim !== undefined && req > parseQuantity(lim)) causes.invalid(`${at}.resources.requests`, v, `must be less than or equal to ${k} limit of ${lim}`);
      }
      if (Object.keys(requests).length > 0) r.requests = requests;
      if (path === 'spec.containers') {
        const guaranteed = ['cpu', 'memory'].every((k) => r.limits?.[k] !== undefined && r.limits[k] === requests[k]);
        const c_qos = guaranteed ? 'Guaranteed' : Object.keys(requests).length === 0 ? 'BestEffort' : 'Burstable';
        qos = qos === undefined || qos === c_qos ? c_qos : 'Burstable';
      }
    }
  }
  o.status = { phase: 'Pending', qosClass: qos ?? 'BestEffort' };
}
