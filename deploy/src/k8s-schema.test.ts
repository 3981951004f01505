/**
 * validateK8sManifest: the objects kernels/launcher-k8s builds (Pod, Secret,
 * Namespace) and the rules added on top of the upstream definitions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createK8sValidator, KUBERNETES_SCHEMA_VERSION, QUANTITY, validateK8sManifest } from './k8s-schema';

/** A kernel pod shaped as kernels/launcher-k8s builds one. */
function kernelPod(): Record<string, any> {
  const security = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
  const resources = () => ({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: 2, memory: '2Gi', 'nvidia.com/gpu': '1' } });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kernel-3f2a9c',
      namespace: 'workbench',
      labels: { 'app.kubernetes.io/component': 'kernel', 'workbench.dev/kernel-id': '3f2a9c' },
      annotations: { 'workbench.dev/user': 'alice@example.com' },
    },
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: 'workbench-kernel',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 10,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [
        {
          name: 'connection-file',
          image: 'workbench/kernel-python:0.1.0',
          command: ['install', '-m', '0600', '/var/run/workbench-secret/connection.json', '/var/run/workbench/connection.json'],
          resources: resources(),
          securityContext: security,
          volumeMounts: [
            { name: 'connection-secret', mountPath: '/var/run/workbench-secret', readOnly: true },
            { name: 'connection', mountPath: '/var/run/workbench' },
          ],
        },
      ],
      containers: [
        {
          name: 'kernel',
          image: 'workbench/kernel-python:0.1.0',
          imagePullPolicy: 'IfNotPresent',
          command: ['python3', '-m', 'ipykernel_launcher', '-f', '/var/run/workbench/connection.json'],
          workingDir: '/home/workbench/work',
          env: [{ name: 'KERNEL_USERNAME', value: 'alice' }],
          ports: [{ name: 'shell', containerPort: 52000, protocol: 'TCP' }],
          resources: resources(),
          securityContext: security,
          readinessProbe: { tcpSocket: { port: 'shell' } },
          volumeMounts: [
            { name: 'connection', mountPath: '/var/run/workbench' },
            { name: 'workspace', mountPath: '/home/workbench/work', subPath: 'projects/a' },
          ],
        },
      ],
      volumes: [
        { name: 'connection-secret', secret: { secretName: 'kernel-3f2a9c', defaultMode: 0o400, items: [{ key: 'connection.json', path: 'connection.json' }] } },
        { name: 'connection', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'workspace', persistentVolumeClaim: { claimName: 'workbench-workspace' } },
      ],
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
    },
  };
}

const secret = () => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'kernel-3f2a9c', namespace: 'workbench' },
  type: 'Opaque',
  immutable: true,
  data: { 'connection.json': Buffer.from('{"key":"k"}').toString('base64') },
  stringData: { 'extra.txt': 'plain' },
});

test('the vendored schema is the documented Kubernetes release and covers the launcher kinds', () => {
  const file = JSON.parse(readFileSync(join(__dirname, '..', 'schema', `kubernetes-${KUBERNETES_SCHEMA_VERSION}.json`), 'utf8'));
  expect(file.kubernetesVersion).toBe(KUBERNETES_SCHEMA_VERSION);
  expect(Number(KUBERNETES_SCHEMA_VERSION.split('.')[1])).toBeGreaterThanOrEqual(30);
  expect(file.source).toMatch(/release-1\.36/);
  expect(createK8sValidator().kinds).toEqual(expect.arrayContaining(['v1/Pod', 'v1/Secret', 'v1/Namespace', 'apps/v1/Deployment', 'rbac.authorization.k8s.io/v1/ClusterRole']));
});

test('a kernel pod, its connection secret and a user namespace are valid', () => {
  expect(validateK8sManifest(kernelPod())).toEqual([]);
  expect(validateK8sManifest(secret())).toEqual([]);
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'workbench-alice', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } })).toEqual([]);
});

test('unknown fields are errors, as kubectl strict field validation makes them', () => {
  const pod = kernelPod();
  pod.spec.containers[0].securityContxt = {};
  pod.spec.restart = 'Never';
  expect(validateK8sManifest(pod)).toEqual([
    'Pod/kernel-3f2a9c: spec: unknown field "restart"',
    'Pod/kernel-3f2a9c: spec.containers[0]: unknown field "securityContxt"',
  ]);
});

test('types, required fields and enums-by-format are checked', () => {
  const pod = kernelPod();
  pod.spec.containers[0].ports[0].containerPort = '52000';
  pod.spec.containers[0].env = [{ value: 'x' }];
  pod.spec.automountServiceAccountToken = 'no';
  pod.spec.containers[0].readinessProbe.tcpSocket.port = true;
  const errors = validateK8sManifest(pod);
  expect(errors).toContain('Pod/kernel-3f2a9c: spec.containers[0].ports[0].containerPort: must be integer, got string "52000"');
  expect(errors).toContain('Pod/kernel-3f2a9c: spec.containers[0].env[0]: missing required field "name"');
  expect(errors).toContain('Pod/kernel-3f2a9c: spec.automountServiceAccountToken: must be boolean, got string "no"');
  expect(errors).toContain('Pod/kernel-3f2a9c: spec.containers[0].readinessProbe.tcpSocket.port: must be an int32 or a string, got true');
  const noContainers = kernelPod();
  delete noContainers.spec.containers;
  expect(validateK8sManifest(noContainers)).toEqual(['Pod/kernel-3f2a9c: spec: missing required field "containers"']);
});

describe('resource quantities', () => {
  const valid = ['500m', '2Gi', '1', '1.5', '0.1m', '.5', '5.', '1e3', '1E-3', '+1', '100Ki', '1k', '10M', '3Ei', '250u', '10n'];
  const invalid = ['2 Gi', '1K', '1.5.5', 'Gi', '', '1KiB', '1ki', 'e3', '1e', '1Gb', ' 1', '-'];

  test.each(valid)('%s is a quantity', (q) => {
    expect(QUANTITY.test(q)).toBe(true);
    const pod = kernelPod();
    pod.spec.containers[0].resources.limits.memory = q;
    expect(validateK8sManifest(pod)).toEqual([]);
  });

  test.each(invalid)('%j is not a quantity', (q) => {
    expect(QUANTITY.test(q)).toBe(false);
    const pod = kernelPod();
    pod.spec.containers[0].resources.requests.cpu = q;
    expect(validateK8sManifest(pod)).toEqual([`Pod/kernel-3f2a9c: spec.containers[0].resources.requests.cpu: must be a quantity such as 500m, 2Gi or 1.5, got ${JSON.stringify(q)}`]);
  });

  test('numbers are quantities; null and booleans are not', () => {
    const pod = kernelPod();
    pod.spec.containers[0].resources.limits = { cpu: 0.5, memory: null, 'nvidia.com/gpu': true };
    expect(validateK8sManifest(pod)).toEqual([
      'Pod/kernel-3f2a9c: spec.containers[0].resources.limits.memory: must be a quantity such as 500m, 2Gi or 1.5, got null',
      'Pod/kernel-3f2a9c: spec.containers[0].resources.limits.nvidia.com/gpu: must be a quantity such as 500m, 2Gi or 1.5, got true',
    ]);
  });
});

test('names, labels, annotations and ports follow the API server rules', () => {
  const pod = kernelPod();
  pod.metadata.name = 'Kernel_1';
  pod.metadata.labels = { 'workbench.dev/user': 'alice@example.com', 'a/b/c': 'x' };
  pod.metadata.annotations = { 'bad key!': 'v' };
  pod.spec.containers[0].ports = [{ name: 'zmq-shell-channel', containerPort: 70000 }];
  pod.spec.containers.push({ name: 'kernel', image: 'x:1' });
  pod.spec.containers[0].volumeMounts.push({ name: 'nowhere', mountPath: '/x' });
  const errors = validateK8sManifest(pod).map((e) => e.replace(/ must .*$/, ' ...'));
  expect(errors).toEqual([
    'Pod/Kernel_1: metadata.name: "Kernel_1" ...',
    'Pod/Kernel_1: metadata.labels.workbench.dev/user: "alice@example.com" ...',
    'Pod/Kernel_1: metadata.labels: key "a/b/c": prefix part ...',
    "Pod/Kernel_1: metadata.annotations: key \"bad key!\": name part ...",
    'Pod/Kernel_1: spec.containers[0].ports[0].containerPort: 70000 ...',
    'Pod/Kernel_1: spec.containers[0].ports[0].name: "zmq-shell-channel" ...',
    'Pod/Kernel_1: spec.containers[1].name: duplicate container name "kernel"',
    'Pod/Kernel_1: spec.containers[0].volumeMounts[2].name: volume "nowhere" is not in spec.volumes',
  ]);
});

test('secrets: data must be base64 and keys must be file-name-like', () => {
  const s = secret();
  s.data = { 'connection json': 'not base64!' } as never;
  expect(validateK8sManifest(s)).toEqual([
    'Secret/kernel-3f2a9c: data.connection json: must be base64-encoded data, got string "not base64!"',
    `Secret/kernel-3f2a9c: data: key "connection json" must consist of alphanumeric characters, '-', '_' or '.' (at most 253)`,
  ]);
});

test('namespaces: an RFC 1123 label, cluster-scoped', () => {
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'workbench-Alice' } })[0]).toMatch(/metadata.name: "workbench-Alice" must be a lowercase RFC 1123 label/);
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a'.repeat(64) } })[0]).toMatch(/no more than 63 characters/);
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'y' } })).toEqual(['Namespace/x: metadata.namespace: Namespace is cluster-scoped and has no namespace']);
});

test('objects without a name, of unknown kinds, or not objects at all are reported', () => {
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Secret', metadata: {} })).toEqual(['Secret/?: metadata.name: missing (or metadata.generateName)']);
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'kernel-' }, spec: { containers: [{ name: 'k', image: 'i:1' }] } })).toEqual([]);
  expect(validateK8sManifest({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' } })[0]).toMatch(/^Job\/j: apiVersion batch\/v1 kind Job is not in the vendored Kubernetes 1.36 schema \(known: v1\/Pod/);
  expect(validateK8sManifest({ apiVersion: 'v1', kind: 'Pods', metadata: { name: 'p' } })).toHaveLength(1);
  expect(validateK8sManifest('kind: Pod')).toEqual(['object: must be a mapping with apiVersion and kind']);
});

describe('network policies', () => {
  const policy = (): Record<string, any> => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'kernels', namespace: 'workbench' },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'workbench-kernel' }, matchExpressions: [{ key: 'component', operator: 'In', values: ['kernel'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'gw' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'workbench' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 52000, endPort: 52004, protocol: 'TCP' }, { port: 'http' }] }],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    },
  });

  test('a well-formed policy is valid', () => {
    expect(validateK8sManifest(policy())).toEqual([]);
  });

  test("selectors, peers, ports and policy types are checked as the API server checks them", () => {
    const p = policy();
    p.spec.podSelector.matchLabels = { 'app.kubernetes.io/name': 'workbench kernel' };
    p.spec.podSelector.matchExpressions = [{ key: 'component', operator: 'Equals', values: ['kernel'] }, { key: 'x', operator: 'In' }, { key: 'y', operator: 'Exists', values: ['1'] }];
    p.spec.policyTypes = ['Ingress', 'Both'];
    p.spec.ingress[0].from = [{}, { podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '10.0.0.0/33', except: ['nope'] } }];
    p.spec.ingress[0].ports = [{ port: 70000 }, { port: 52004, endPort: 52000 }, { port: 53, protocol: 'ICMP' }, { port: 'zmq-shell-channel' }];
    p.spec.egress[0].ports[0].prot = 'UDP';
    expect(validateK8sManifest(p).map((e) => e.replace(/ must .*$/, ' ...').replace(/^NetworkPolicy\/kernels: /, ''))).toEqual([
      'spec.egress[0].ports[0]: unknown field "prot"',
      'spec.podSelector.matchLabels.app.kubernetes.io/name: "workbench kernel" ...',
      'spec.podSelector.matchExpressions[0].operator: "Equals" ...',
      'spec.podSelector.matchExpressions[1].values: ...',
      'spec.podSelector.matchExpressions[2].values: ...',
      'spec.policyTypes[1]: "Both" ...',
      'spec.ingress[0].from[0]: ...',
      'spec.ingress[0].from[1]: may not specify ipBlock together with a selector',
      'spec.ingress[0].from[2].ipBlock.cidr: "10.0.0.0/33" ...',
      'spec.ingress[0].from[2].ipBlock.except[0]: "nope" ...',
      'spec.ingress[0].ports[0].port: 70000 ...',
      'spec.ingress[0].ports[1].endPort: ...',
      'spec.ingress[0].ports[2].protocol: "ICMP" ...',
      'spec.ingress[0].ports[3].port: "zmq-shell-channel" ...',
    ]);
  });
});
