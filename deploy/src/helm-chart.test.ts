/**
 * The Workbench chart (helm/workbench) rendered for its defaults and for
 * other value sets, every manifest validated against the Kubernetes schema,
 * and the chart's promises checked on the output: config verbatim, security
 * contexts, RBAC scope, token handling, and the values it refuses.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ChartError, Manifest, renderChart, RenderOptions } from './helm-chart';
import { validateK8sManifest } from './k8s-schema';

const CHART = join(__dirname, '..', '..', 'helm', 'workbench');
const RELEASE = { name: 'wb', namespace: 'workbench' };

function render(values: Record<string, unknown> = {}, options: RenderOptions = {}) {
  return renderChart(CHART, { release: RELEASE, values, randomInt: () => 7, ...options });
}

function find(manifests: Manifest[], kind: string, name?: string): Record<string, any> {
  const found = manifests.filter((m) => m.doc.kind === kind && (name === undefined || (m.doc.metadata as { name: string }).name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!.doc;
}

const kinds = (ms: Manifest[]) => ms.map((m) => `${m.doc.kind}/${(m.doc.metadata as { name: string }).name}`).sort();

const VALUE_SETS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'ingress with TLS, base_url, existing secret, another port': {
    ingress: { enabled: true, className: 'nginx', host: 'nb.example.org', tls: { enabled: true, secretName: 'nb-tls' }, annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' } },
    token: { existingSecret: 'workbench-auth', existingSecretKey: 'jupyter-token' },
    config: { base_url: '/wb', port: 9999 },
    podAnnotations: { 'example.com/team': 'data' },
    extraEnv: [{ name: 'TZ', value: 'UTC' }],
  },
  'per-user namespaces': {
    config: { kubernetes: { namespace: 'wb-user', namespace_per_user: true } },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'notebooks', effect: 'NoSchedule' }],
  },
  'separate kernel namespace without a shared workspace': {
    config: { kubernetes: { namespace: 'wb-kernels', workspace_pvc: '' } },
    kernelNamespace: { create: true, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    persistence: { create: false },
    token: { value: 's3cret-token' },
  },
};

describe.each(Object.entries(VALUE_SETS))('%s', (_name, values) => {
  const rendered = render(values);

  test('every manifest is valid for Kubernetes 1.36', () => {
    expect(rendered.manifests.length).toBeGreaterThan(5);
    const errors = rendered.manifests.flatMap((m) => validateK8sManifest(m.doc).map((e) => `${m.source}: ${e}`));
    expect(errors).toEqual([]);
  });

  test('the ConfigMap holds .Values.config verbatim as JSON', () => {
    const cm = find(rendered.manifests, 'ConfigMap');
    expect(JSON.parse(cm.data['config.json'])).toEqual(JSON.parse(JSON.stringify(rendered.values.config)));
  });

  test('the gateway runs as non-root with a read-only root and no capabilities', () => {
    const pod = find(rendered.manifests, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.args).toEqual(['--ip', '0.0.0.0', '--no-browser', '--config', '/etc/workbench/config.json']);
    expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/workbench', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('the pod restarts when the config changes (checksum of the rendered ConfigMap)', () => {
    const annotations = find(rendered.manifests, 'Deployment').spec.template.metadata.annotations;
    expect(annotations['checksum/config']).toBe(createHash('sha256').update(rendered.files['templates/configmap.yaml']!).digest('hex'));
  });

  test('NOTES.txt renders without missing values', () => {
    expect(rendered.notes).toMatch(/The token:\n  kubectl --namespace workbench get secret /);
    expect(rendered.notes).not.toMatch(/<no value>|%!/);
  });
});

test('defaults: the objects, the port and the kernel RBAC in the release namespace', () => {
  const { manifests, values } = render();
  expect(kinds(manifests)).toEqual([
    'ConfigMap/wb-workbench-config',
    'Deployment/wb-workbench',
    'NetworkPolicy/wb-workbench-gateway',
    'NetworkPolicy/wb-workbench-kernels',
    'PersistentVolumeClaim/workbench-workspace',
    'Role/wb-workbench-kernels',
    'RoleBinding/wb-workbench-kernels',
    'Secret/wb-workbench-token',
    'Service/wb-workbench',
    'ServiceAccount/wb-workbench',
    'ServiceAccount/workbench-kernel',
  ]);
  expect(values.config).toMatchObject({ kernels: { launcher: 'kubernetes' }, kubernetes: { namespace: 'workbench', kubeconfig: 'in-cluster' } });
  const c = find(manifests, 'Deployment').spec.template.spec.containers[0];
  expect(c.ports).toEqual([{ name: 'http', containerPort: 8888, protocol: 'TCP' }]);
  expect(c.readinessProbe.httpGet).toEqual({ path: '/api/', port: 'http' });
  expect(c.env[0]).toEqual({ name: 'JUPYTER_TOKEN', valueFrom: { secretKeyRef: { name: 'wb-workbench-token', key: 'token' } } });
  const role = find(manifests, 'Role');
  expect(role.metadata.namespace).toBe('workbench');
  expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'pods/log', 'secrets'], verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'] }]);
  expect(find(manifests, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'wb-workbench', namespace: 'workbench' }]);
  expect(find(manifests, 'ServiceAccount', 'workbench-kernel').automountServiceAccountToken).toBe(false);
  expect(find(manifests, 'PersistentVolumeClaim').metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  expect(manifests.some((m) => m.doc.kind === 'Ingress' || m.doc.kind === 'ClusterRole')).toBe(false);
});

test('ingress on: path and probe follow base_url, the existing secret replaces the generated one', () => {
  const { manifests } = render(VALUE_SETS['ingress with TLS, base_url, existing secret, another port']);
  const ingress = find(manifests, 'Ingress');
  expect(ingress.spec).toEqual({
    ingressClassName: 'nginx',
    tls: [{ hosts: ['nb.example.org'], secretName: 'nb-tls' }],
    rules: [{ host: 'nb.example.org', http: { paths: [{ path: '/wb/', pathType: 'Prefix', backend: { service: { name: 'wb-workbench', port: { name: 'http' } } } }] } }],
  });
  expect(manifests.some((m) => m.doc.kind === 'Secret')).toBe(false);
  const c = find(manifests, 'Deployment').spec.template.spec.containers[0];
  expect(c.env).toEqual([
    { name: 'JUPYTER_TOKEN', valueFrom: { secretKeyRef: { name: 'workbench-auth', key: 'jupyter-token' } } },
    { name: 'HOME', value: '/home/workbench' },
    { name: 'TZ', value: 'UTC' },
  ]);
  expect(c.readinessProbe.httpGet.path).toBe('/wb/api/');
  expect(c.ports[0].containerPort).toBe(9999);
});

test('credentials from existing Secrets: OIDC client secret, database URL and the secrets key reach the server as environment, nothing else does', () => {
  const { manifests } = render({
    secretEnv: {
      oidcClientSecret: { existingSecret: 'sso', existingSecretKey: 'client-secret' },
      databaseUrl: { existingSecret: 'metadata-db', existingSecretKey: 'url' },
      secretKey: { existingSecret: 'wb-keys', existingSecretKey: 'active' },
    },
    config: { auth: { oidc: { issuer: 'https://idp.example.org/realms/finance', client_id: 'workbench', role_mapping: { 'finance-analysts': ['analyst'] } } } },
  });
  const env = find(manifests, 'Deployment').spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[];
  expect(env.filter((e) => e.name.startsWith('WORKBENCH_'))).toEqual([
    { name: 'WORKBENCH_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'metadata-db', key: 'url' } } },
    { name: 'WORKBENCH_OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'sso', key: 'client-secret' } } },
    { name: 'WORKBENCH_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'wb-keys', key: 'active' } } },
  ]);
  expect(JSON.stringify(find(manifests, 'ConfigMap'))).not.toMatch(/client_secret|database/);
  // Unset by default.
  expect((find(render().manifests, 'Deployment').spec.template.spec.containers[0].env as { name: string }[]).map((e) => e.name)).toEqual(['JUPYTER_TOKEN', 'HOME']);
});

test('per-user namespaces: cluster-wide rights including namespaces, and no namespaced Role', () => {
  const { manifests, notes } = render(VALUE_SETS['per-user namespaces']);
  const role = find(manifests, 'ClusterRole');
  expect(role.metadata.name).toBe('workbench-wb-workbench-kernels');
  expect(role.rules).toEqual([
    { apiGroups: [''], resources: ['pods', 'pods/log', 'secrets'], verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create'] },
  ]);
  const binding = find(manifests, 'ClusterRoleBinding');
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'wb-workbench', namespace: 'workbench' }]);
  expect(manifests.some((m) => m.doc.kind === 'Role' || m.doc.kind === 'RoleBinding')).toBe(false);
  expect(kinds(manifests)).not.toContain('ServiceAccount/workbench-kernel');
  expect(notes).toContain('one namespace per user (names prefixed wb-user)');
});

test('a separate kernel namespace: created, holding the Role and the kernel account; the workspace is an emptyDir', () => {
  const { manifests, notes } = render(VALUE_SETS['separate kernel namespace without a shared workspace']);
  expect(find(manifests, 'Namespace').metadata).toMatchObject({ name: 'wb-kernels', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } });
  expect(find(manifests, 'Role').metadata.namespace).toBe('wb-kernels');
  expect(find(manifests, 'RoleBinding').subjects[0].namespace).toBe('workbench');
  expect(find(manifests, 'ServiceAccount', 'workbench-kernel').metadata.namespace).toBe('wb-kernels');
  expect(find(manifests, 'Deployment').spec.template.spec.volumes).toContainEqual({ name: 'workspace', emptyDir: {} });
  expect(manifests.some((m) => m.doc.kind === 'PersistentVolumeClaim')).toBe(false);
  expect(Buffer.from(find(manifests, 'Secret').data.token, 'base64').toString()).toBe('s3cret-token');
  expect(notes).toContain('WARNING: config.kubernetes.workspace_pvc is empty');
});

describe('the generated token', () => {
  const tokenOf = (options: RenderOptions) => Buffer.from(find(render({}, options).manifests, 'Secret').data.token, 'base64').toString();

  test('is 48 random alphanumerics drawn at install', () => {
    let i = 0;
    const token = tokenOf({ randomInt: (max) => (i++ * 7) % max });
    expect(token).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(new Set(token).size).toBeGreaterThan(10);
  });

  test('is kept on upgrade: the existing Secret is looked up, not redrawn', () => {
    const kept = Buffer.from('kept-token').toString('base64');
    const lookup = (apiVersion: string, kind: string, namespace: string, name: string) =>
      apiVersion === 'v1' && kind === 'Secret' && namespace === 'workbench' && name === 'wb-workbench-token' ? { data: { token: kept } } : {};
    expect(tokenOf({ lookup, release: { ...RELEASE, isUpgrade: true, revision: 2 } })).toBe('kept-token');
  });
});

describe('values the chart refuses', () => {
  const refused = (values: Record<string, unknown>, release = RELEASE) => {
    try {
      renderChart(CHART, { release, values });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('the chart rendered');
  };

  test('a token in config (it would land in a ConfigMap)', () => {
    expect(refused({ config: { token: 'abc' } })).toContain('config.token would be stored in a ConfigMap: set token.value or token.existingSecret instead');
  });

  test('an OIDC client secret or a database URL in config (they would land in a ConfigMap)', () => {
    expect(refused({ config: { auth: { oidc: { issuer: 'https://idp.example.org', client_id: 'wb', client_secret: 's3cret', role_mapping: {} } } } })).toContain('config.auth.oidc.client_secret would be stored in a ConfigMap: set secretEnv.oidcClientSecret.existingSecret instead');
    expect(refused({ config: { database: { url: 'postgres://wb:pw@db/wb' } } })).toContain('config.database.url (it holds the database password) would be stored in a ConfigMap');
  });

  test('port 0', () => {
    expect(refused({ config: { port: 0 } })).toContain('config.port must be a fixed port');
  });

  test('a shared workspace PVC with kernels in another namespace', () => {
    expect(refused({}, { name: 'wb', namespace: 'default' })).toContain(
      'config.kubernetes.namespace is "workbench" but the release is in "default": kernel pods can only mount the workspace PVC "workbench-workspace" in its own namespace',
    );
  });

  test('TLS without a secret', () => {
    expect(refused({ ingress: { enabled: true, tls: { enabled: true } } })).toContain('ingress.tls.secretName is required when ingress.tls.enabled is true');
  });

  test('no root_dir', () => {
    expect(refused({ config: { root_dir: null } })).toContain('config.root_dir is required');
  });

  test('values the schema refuses never reach the templates', () => {
    const message = refused({ config: { kernels: { launcher: 'pods' } }, service: { port: 0 } });
    expect(message).toMatch(/^Cannot render chart workbench: values do not match values.schema.json:/);
    expect(message).toContain('- /config/kernels/launcher: must be one of "local", "kubernetes"');
    expect(message).toContain('- /service/port: must be >= 1');
    expect(() => renderChart(CHART, { values: { ingres: {} } })).toThrow(ChartError);
  });
});
