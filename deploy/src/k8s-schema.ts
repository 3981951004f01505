/**
 * Validates Kubernetes objects against the official OpenAPI definitions of
 * one Kubernetes release (deploy/schema/kubernetes-<version>.json, cut from
 * the upstream swagger.json by scripts/vendor-k8s-schema.js), with ajv.
 *
 * On top of the upstream definitions, as `kubectl apply` (server-side
 * strict field validation, the default since Kubernetes 1.27) and the API
 * server's own checks would reject them:
 *  - unknown fields are errors (objects with declared properties are closed);
 *  - resource.Quantity must match the quantity grammar (500m, 2Gi, 1e3, 1.5)
 *    and IntOrString must be an int32 or a string (the OpenAPI document only
 *    says "string" for both);
 *  - int32 / int64 / byte (base64) / date-time formats are checked;
 *  - names, labels, selectors and keys follow k8s-names.ts.
 * A null anywhere is reported: the server would drop it, but in a chart or
 * a builder it almost always means a value that was meant to be set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { isMap } from './go-format';
import { checkNames } from './k8s-names';

export const KUBERNETES_SCHEMA_VERSION = '1.36';

interface SchemaFile {
  kubernetesVersion: string;
  source: string;
  kinds: Record<string, string>;
  definitions: Record<string, Record<string, unknown>>;
}

/**
 * Quantity grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal
 * number, then a binary-SI suffix, a decimal-SI suffix (n u m "" k M G T P E)
 * or a decimal exponent.
 */
export const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

const QUANTITY_DEF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_DEF = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

export interface K8sValidator {
  /** "apiVersion/Kind" keys this validator knows, e.g. "v1/Pod", "apps/v1/Deployment". */
  readonly kinds: readonly string[];
  /** Problems with `obj` as a Kubernetes object, each "Kind/name: path: what"; empty when valid. */
  validate(obj: unknown): string[];
}

export function createK8sValidator(schemaFile = join(__dirname, '..', 'schema', `kubernetes-${KUBERNETES_SCHEMA_VERSION}.json`)): K8sValidator {
  const file = JSON.parse(readFileSync(schemaFile, 'utf8')) as SchemaFile;
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
  const custom = (keyword: string, ok: (data: unknown) => boolean, what: string) => {
    const validate = (_schema: boolean, data: unknown): boolean => {
      if (ok(data)) return true;
      (validate as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword, message: `must be ${what}, got ${JSON.stringify(data)}`, params: {} }];
      return false;
    };
    ajv.addKeyword({ keyword, schemaType: 'boolean', errors: true, validate });
  };
  custom('k8sQuantity', (d) => (typeof d === 'number' && Number.isFinite(d)) || (typeof d === 'string' && QUANTITY.test(d)), 'a quantity such as 500m, 2Gi or 1.5');
  custom('k8sIntOrString', (d) => typeof d === 'string' || (typeof d === 'number' && Number.isInteger(d) && d >= INT32.min && d <= INT32.max), 'an int32 or a string');

  const definitions: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(file.definitions)) {
    definitions[name] = name === QUANTITY_DEF ? { k8sQuantity: true } : name === INT_OR_STRING_DEF ? { k8sIntOrString: true } : closeObjects(def);
  }
  ajv.addSchema({ $id: 'k8s', definitions });
  const byKind = new Map<string, ValidateFunction>();
  for (const [key, def] of Object.entries(file.kinds)) byKind.set(key, ajv.compile({ $ref: `k8s#/definitions/${def}` }));
  const kinds = [...byKind.keys()];

  return {
    kinds,
    validate(obj: unknown): string[] {
      if (!isMap(obj)) return ['object: must be a mapping with apiVersion and kind'];
      const { apiVersion, kind } = obj;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['object: apiVersion and kind must be strings'];
      const meta = isMap(obj.metadata) ? obj.metadata : {};
      const label = `${kind}/${typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '?'}`;
      const validate = byKind.get(`${apiVersion}/${kind}`);
      if (!validate) return [`${label}: apiVersion ${apiVersion} kind ${kind} is not in the vendored Kubernetes ${file.kubernetesVersion} schema (known: ${kinds.join(', ')})`];
      const errors = validate(obj) ? [] : (validate.errors ?? []).filter((e) => !isNoise(e)).map(formatError);
      errors.push(...checkNames(kind, obj));
      return [...new Set(errors)].map((e) => `${label}: ${e}`);
    },
  };
}

/** Objects with declared properties refuse undeclared ones (kubectl's strict field validation). */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!isMap(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties' && isMap(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, closeObjects(s)])) : closeObjects(v);
  }
  if (isMap(schema.properties) && schema.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** ajv's "$ref failed" wrappers repeat the inner error; keep the inner one. */
function isNoise(e: ErrorObject): boolean {
  return e.keyword === '$ref';
}

export function jsonPointerToPath(pointer: string): string {
  if (!pointer) return '(root)';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const FORMAT_NAMES: Record<string, string> = {
  int32: 'a 32-bit integer',
  int64: 'a 64-bit integer (within 2^53 here)',
  byte: 'base64-encoded data',
  double: 'a finite number',
  'date-time': 'an RFC 3339 date-time',
};

function formatError(e: ErrorObject): string {
  const at = jsonPointerToPath(e.instancePath);
  const got = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `${at}: missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'type':
      return `${at}: must be ${(e.params as { type: string }).type}, got ${got(e.data)}`;
    case 'format': {
      const format = (e.params as { format: string }).format;
      return `${at}: must be ${FORMAT_NAMES[format] ?? format}, got ${got(e.data)}`;
    }
    case 'enum':
      return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at}: ${e.message}`;
  }
}

let shared: K8sValidator | undefined;

/**
 * Problems with `obj` as a Kubernetes object of a vendored kind (v1 Pod,
 * Secret, Namespace, Service, ServiceAccount, ConfigMap,
 * PersistentVolumeClaim; apps/v1 Deployment; networking.k8s.io/v1 Ingress and
 * NetworkPolicy; rbac.authorization.k8s.io/v1 Role, RoleBinding, ClusterRole,
 * ClusterRoleBinding). Empty when valid. The compiled schema is built on the
 * first call and reused: it is immutable data.
 */
export function validateK8sManifest(obj: unknown): string[] {
  shared ??= createK8sValidator();
  return shared.validate(obj);
}
