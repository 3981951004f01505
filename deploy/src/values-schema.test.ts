/**
 * helm/workbench/values.schema.json: its `config` part is the server's own
 * config schema, it accepts the chart's defaults, and it refuses wrong types
 * and unknown keys, as `helm install` would check them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { checkValues, coalesceValues, readYaml } from './helm-chart';
import { QUANTITY } from './k8s-schema';

// Loaded the way the server publishes it; untyped so this workspace does not
// depend on the server's build at compile time.
const app = require('@workbench/app') as {
  configJsonSchema(): Record<string, unknown>;
  loadConfig(argv: string[], env: Record<string, string>, cwd: string): { config: Record<string, unknown> };
};

const CHART = join(__dirname, '..', '..', 'helm', 'workbench');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as { $schema: string; properties: Record<string, any> };
const defaults = readYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8'), 'values.yaml') as Record<string, any>;
const withValues = (given: Record<string, unknown>) => coalesceValues(defaults, given);

test('config is a copy of the server config schema', () => {
  const { $schema: _ignored, ...server } = app.configJsonSchema();
  const upToDate = isDeepStrictEqual(schema.properties.config, server);
  const message = upToDate ? '' : 'helm/workbench/values.schema.json is out of date with the server config schema: build, then run node deploy/scripts/sync-values-schema.js';
  expect(message).toBe('');
  expect(Object.keys(server.properties as object)).toEqual(expect.arrayContaining(['kernels', 'sandbox', 'kubernetes', 'sql', 'contents', 'lab', 'terminals']));
});

test('the schema is draft-07, which Helm validates, and the server schema only uses draft-07 keywords', () => {
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const draft07 = new Set(['type', 'properties', 'additionalProperties', 'required', 'items', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'anyOf', 'oneOf', 'allOf', 'not', 'propertyNames', 'minItems', 'maxItems', 'uniqueItems', 'description', 'title', 'default', 'format']);
  const used = new Set<string>();
  const walk = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(walk);
    if (typeof s !== 'object' || s === null) return;
    for (const [k, v] of Object.entries(s)) {
      used.add(k);
      if (k === 'properties') Object.values(v as object).forEach(walk);
      else walk(v);
    }
  };
  walk(schema.properties.config);
  expect([...used].filter((k) => !draft07.has(k))).toEqual([]);
});

test('the defaults are accepted', () => {
  expect(checkValues(schema, withValues({}))).toEqual([]);
});

test('the default config is one the server itself loads, with the kubernetes launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'values-config-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(defaults.config));
    const { config } = app.loadConfig(['--config', file], { JUPYTER_CONFIG_DIR: dir, HOME: dir }, dir);
    expect(config).toMatchObject({ port: 8888, rootDir: '/home/workbench/work', baseUrl: '/', openBrowser: false, terminals: { enabled: false } });
    expect(defaults.config.kernels.launcher).toBe('kubernetes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ['a string for an integer', { config: { port: '8888' } }, '/config/port: must be integer'],
  ['an unknown config key', { config: { kernels: { max_kernel: 5 } } }, '/config/kernels: unknown key "max_kernel"'],
  ['an unknown top-level config key', { config: { gpu: true } }, '/config: unknown key "gpu"'],
  ['an unknown chart key', { ingres: { enabled: true } }, '(root): unknown key "ingres"'],
  ['a launcher the server lacks', { config: { kernels: { launcher: 'docker' } } }, '/config/kernels/launcher: must be one of "local", "kubernetes"'],
  ['an empty kernel namespace', { config: { kubernetes: { namespace: '' } } }, '/config/kubernetes/namespace: must NOT have fewer than 1 characters'],
  ['a non-string image', { config: { kubernetes: { images: { python3: 3 } } } }, '/config/kubernetes/images/python3: must be string'],
  ['a pull policy Kubernetes lacks', { config: { kubernetes: { image_pull_policy: 'Sometimes' } } }, '/config/kubernetes/image_pull_policy: must be one of "Always", "IfNotPresent", "Never"'],
  ['a boolean as a string', { config: { terminals: { enabled: 'false' } } }, '/config/terminals/enabled: must be boolean'],
  ['a size that is not a quantity', { persistence: { size: '10 GB' } }, '/persistence/size: must match pattern'],
  ['a service port out of range', { service: { port: 70000 } }, '/service/port: must be <= 65535'],
  ['an unknown service type', { service: { type: 'ExternalName' } }, '/service/type: must be one of "ClusterIP", "NodePort", "LoadBalancer"'],
  ['a kernel egress mode the chart lacks', { networkPolicy: { kernelEgress: 'dns' } }, '/networkPolicy/kernelEgress: must be one of "all", "dns-only", "none"'],
  ['an empty gateway ingress peer', { networkPolicy: { gatewayIngressFrom: [{}] } }, '/networkPolicy/gatewayIngressFrom/0: must NOT have fewer than 1 properties'],
  ['an unknown peer field', { networkPolicy: { gatewayIngressFrom: [{ podSelectors: {} }] } }, '/networkPolicy/gatewayIngressFrom/0: unknown key "podSelectors"'],
  ['networkPolicy removed', { networkPolicy: null }, "(root): must have required property 'networkPolicy'"],
])('refuses %s', (_what, given, expected) => {
  const errors = checkValues(schema, withValues(given));
  expect(errors.some((e) => e.startsWith(expected))).toBe(true);
});

test('the chart-side quantity pattern agrees with the manifest validator', () => {
  const pattern = new RegExp(schema.properties.persistence.properties.size.anyOf[0].pattern);
  for (const q of ['500m', '2Gi', '1.5', '1e3', '.5', '2 Gi', '1K', '', 'Gi', '1KiB']) expect([q, pattern.test(q)]).toEqual([q, QUANTITY.test(q)]);
});
