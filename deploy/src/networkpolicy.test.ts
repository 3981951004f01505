/**
 * helm/workbench/templates/networkpolicy.yaml. Kernel pods are built by the
 * launcher itself (buildKernelManifests), and its LABELS / KERNEL_SELECTOR /
 * KERNEL_PORTS are the reference, so a label or port change in
 * kernels/launcher-k8s that the chart does not follow fails here. Besides the
 * structure, the rendered policies are evaluated with NetworkPolicy
 * semantics (below) against concrete pods: who may connect to a kernel and to
 * the gateway, on which ports, and what a kernel may connect to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildKernelManifests, KERNEL_PORTS, KERNEL_SELECTOR, LABELS, userNamespace } from '@workbench/launcher-k8s';
import type { LaunchRequest } from '@workbench/launcher';
import { Manifest, renderChart } from './helm-chart';
import { validateK8sManifest } from './k8s-schema';

const CHART = join(__dirname, '..', '..', 'helm', 'workbench');
const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const RELEASE = { name: 'wb', namespace: 'workbench' };
const PORTS = Object.values(KERNEL_PORTS) as number[];

const render = (values: Record<string, unknown> = {}) => renderChart(CHART, { release: RELEASE, values, randomInt: () => 7 });
const policiesOf = (ms: Manifest[]): Policy[] => ms.filter((m) => m.doc.kind === 'NetworkPolicy').map((m) => m.doc as unknown as Policy);
const policy = (ms: Manifest[], name: string): Policy => {
  const found = policiesOf(ms).filter((p) => p.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one NetworkPolicy ${name}, found ${found.length}`);
  return found[0]!;
};

// ---- NetworkPolicy semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/) ----

type Labels = Record<string, string>;
interface Selector { matchLabels?: Labels; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown }
interface PolicyPort { port?: number | string; endPort?: number; protocol?: string }
interface Rule { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] }
interface Policy {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}
interface Pod { namespace: string; labels: Labels }

/** Label-selector matching; an empty selector selects everything. */
function selects(s: Selector, labels: Labels): boolean {
  const byLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabels && (s.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return k(e.key) && e.values!.includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !k(e.key) || !e.values!.includes(labels[e.key]!);
    if (e.operator === 'Exists') return k(e.key);
    if (e.operator === 'DoesNotExist') return !k(e.key);
    throw new Error(`unknown operator ${e.operator}`);
  });
  function k(key: string) { return Object.prototype.hasOwnProperty.call(labels, key); }
}

const namespaceOf = (p: Policy) => p.metadata.namespace ?? RELEASE.namespace;
/** The label every namespace carries (set by the API server since Kubernetes 1.22). */
const namespaceLabels = (ns: string): Labels => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: Peer, pod: Pod, policyNamespace: string): boolean {
  if (peer.ipBlock) throw new Error('ipBlock peers are not evaluated here');
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
  return nsOk && (peer.podSelector ? selects(peer.podSelector, pod.labels) : true);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if (typeof p.port === 'string') throw new Error('named ports are not evaluated here');
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    return p.port === undefined || (p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort);
  });
}

/** Whether `from` may open a connection to `to` on port/protocol under `policies`. */
function ingressAllowed(policies: Policy[], from: Pod, to: Pod, port: number, protocol = 'TCP'): boolean {
  const applying = policies.filter((p) => namespaceOf(p) === to.namespace && selects(p.spec.podSelector, to.labels) && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (applying.length === 0) return true;
  return applying.some((p) => (p.spec.ingress ?? []).some((r) => portMatches(r.ports, port, protocol) && (!r.from || r.from.length === 0 || r.from.some((peer) => peerMatches(peer, from, namespaceOf(p))))));
}

/** Whether `from` may open a connection to an address outside the cluster on port/protocol. */
function egressAllowed(policies: Policy[], from: Pod, port: number, protocol = 'TCP'): boolean {
  const applying = policies.filter((p) => namespaceOf(p) === from.namespace && selects(p.spec.podSelector, from.labels) && (p.spec.policyTypes ?? []).includes('Egress'));
  if (applying.length === 0) return true;
  return applying.some((p) =>
    (p.spec.egress ?? []).some((r) => {
      if (r.to && r.to.length > 0) throw new Error('egress peers are not evaluated here');
      return portMatches(r.ports, port, protocol);
    }),
  );
}

// ---- the pods ----

const request = (kernelId: string, owner: string, kernelName = 'python3'): LaunchRequest => ({
  kernelId,
  argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
  env: {},
  cwd: '/home/workbench/work',
  key: 'k'.repeat(64),
  signatureScheme: 'hmac-sha256',
  kernelName,
  owner,
});

/** A kernel pod exactly as the launcher labels it. */
function kernelPod(namespace: string, kernelId = '0b7e1c6a-1f55-4b7e-9d61-3f0f2c9a8e11', owner = 'alice', kernelName = 'python3'): Pod {
  const [, pod] = buildKernelManifests(request(kernelId, owner, kernelName), { namespace, defaultImage: 'img:1' });
  return { namespace, labels: pod.metadata!.labels! };
}

function gatewayPod(ms: Manifest[]): Pod {
  const deployment = ms.find((m) => m.doc.kind === 'Deployment')!.doc as Record<string, any>;
  return { namespace: RELEASE.namespace, labels: deployment.spec.template.metadata.labels };
}

const SHARED_MODES: Record<string, { values: Record<string, unknown>; kernelNamespace: string }> = {
  'kernels in the release namespace': { values: {}, kernelNamespace: 'workbench' },
  'kernels in another namespace': { values: { config: { kubernetes: { namespace: 'wb-kernels', workspace_pvc: '' } }, kernelNamespace: { create: true } }, kernelNamespace: 'wb-kernels' },
};

describe.each(Object.entries(SHARED_MODES))('%s', (_mode, { values, kernelNamespace }) => {
  const { manifests } = render(values);
  const policies = policiesOf(manifests);
  const kernels = policy(manifests, 'wb-workbench-kernels');
  const gateway = gatewayPod(manifests);
  const kernel = kernelPod(kernelNamespace);

  test('every manifest, the policies included, is valid for Kubernetes 1.36', () => {
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['wb-workbench-gateway', 'wb-workbench-kernels']);
    expect(manifests.flatMap((m) => validateK8sManifest(m.doc).map((e) => `${m.source}: ${e}`))).toEqual([]);
  });

  test("the kernel policy lives in the kernel namespace and selects kernel pods by the launcher's labels", () => {
    expect(kernels.metadata.namespace).toBe(kernelNamespace);
    const launcherSelector = Object.fromEntries(KERNEL_SELECTOR.split(',').map((kv) => kv.split('=')));
    expect(kernels.spec.podSelector).toEqual({ matchLabels: launcherSelector });
    expect(Object.keys(launcherSelector).sort()).toEqual([LABELS.component, LABELS.name].sort());
    // Any kernel, whoever owns it and whatever its kernelspec; never the gateway.
    expect(selects(kernels.spec.podSelector, kernel.labels)).toBe(true);
    expect(selects(kernels.spec.podSelector, kernelPod(kernelNamespace, 'f00d', 'Bob Smith@example.com', 'tslab').labels)).toBe(true);
    expect(selects(kernels.spec.podSelector, gateway.labels)).toBe(false);
  });

  test("ingress: one rule, one peer (the gateway's labels; its namespace when it differs), exactly the kernel ports", () => {
    expect(kernels.spec.policyTypes).toContain('Ingress');
    expect(kernels.spec.ingress).toHaveLength(1);
    const [rule] = kernels.spec.ingress!;
    expect(rule!.from).toHaveLength(1);
    const deployment = manifests.find((m) => m.doc.kind === 'Deployment')!.doc as Record<string, any>;
    const service = manifests.find((m) => m.doc.kind === 'Service')!.doc as Record<string, any>;
    expect(rule!.from![0]!.podSelector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
    expect(rule!.from![0]!.podSelector!.matchLabels).toEqual(service.spec.selector);
    expect(rule!.from![0]!.namespaceSelector).toEqual(kernelNamespace === RELEASE.namespace ? undefined : { matchLabels: namespaceLabels(RELEASE.namespace) });
    expect(rule!.ports!.map((p) => p.port).sort()).toEqual([...PORTS].sort());
    expect(rule!.ports!.every((p) => p.protocol === 'TCP' && p.endPort === undefined)).toBe(true);
  });

  test.each(PORTS)('the gateway reaches a kernel on port %d', (port) => {
    expect(ingressAllowed(policies, gateway, kernel, port)).toBe(true);
  });

  test('nothing else reaches a kernel, and the gateway no other port', () => {
    const sameNamespace: Pod = { namespace: RELEASE.namespace, labels: { app: 'curious' } };
    const otherRelease: Pod = { namespace: RELEASE.namespace, labels: { ...gateway.labels, 'app.kubernetes.io/instance': 'other' } };
    const lookalike: Pod = { namespace: 'elsewhere', labels: gateway.labels };
    for (const port of PORTS) {
      expect([port, ingressAllowed(policies, sameNamespace, kernel, port)]).toEqual([port, false]);
      expect([port, ingressAllowed(policies, otherRelease, kernel, port)]).toEqual([port, false]);
      expect([port, ingressAllowed(policies, lookalike, kernel, port)]).toEqual([port, false]);
      expect([port, ingressAllowed(policies, kernelPod(kernelNamespace, 'f00d', 'mallory'), kernel, port)]).toEqual([port, false]);
    }
    for (const port of [22, 8888, Math.min(...PORTS) - 1, Math.max(...PORTS) + 1]) expect([port, ingressAllowed(policies, gateway, kernel, port)]).toEqual([port, false]);
    expect(ingressAllowed(policies, gateway, kernel, PORTS[0]!, 'UDP')).toBe(false);
  });

  test('the gateway accepts its HTTP port from anywhere, and no other port', () => {
    const anyone: Pod = { namespace: 'elsewhere', labels: {} };
    expect(ingressAllowed(policies, anyone, gateway, 8888)).toBe(true);
    expect(ingressAllowed(policies, anyone, gateway, PORTS[0]!)).toBe(false);
    expect(policy(manifests, 'wb-workbench-gateway').spec.policyTypes).toEqual(['Ingress']);
  });
});

describe.each([
  ['all', { dnsUdp: true, dnsTcp: true, https: true }],
  ['dns-only', { dnsUdp: true, dnsTcp: true, https: false }],
  ['none', { dnsUdp: false, dnsTcp: false, https: false }],
])('kernelEgress %s', (mode, expected) => {
  const { manifests } = render({ networkPolicy: { kernelEgress: mode } });
  const policies = policiesOf(manifests);
  const kernel = kernelPod(RELEASE.namespace);

  test('renders valid manifests with the matching policy types', () => {
    expect(manifests.flatMap((m) => validateK8sManifest(m.doc))).toEqual([]);
    expect(policy(manifests, 'wb-workbench-kernels').spec.policyTypes).toEqual(mode === 'all' ? ['Ingress'] : ['Ingress', 'Egress']);
    expect(policy(manifests, 'wb-workbench-gateway').spec.policyTypes).toEqual(['Ingress']);
  });

  test('a kernel may connect out as the mode says; the gateway is never restricted', () => {
    expect({
      dnsUdp: egressAllowed(policies, kernel, 53, 'UDP'),
      dnsTcp: egressAllowed(policies, kernel, 53, 'TCP'),
      https: egressAllowed(policies, kernel, 443),
    }).toEqual(expected);
    expect(egressAllowed(policies, gatewayPod(manifests), 443)).toBe(true);
    expect(ingressAllowed(policies, gatewayPod(manifests), kernel, KERNEL_PORTS.shell_port)).toBe(true);
  });
});

test('gatewayIngressFrom limits who reaches the gateway; the port follows config.port', () => {
  const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }];
  const { manifests } = render({ networkPolicy: { gatewayIngressFrom: from }, config: { port: 9999 } });
  expect(manifests.flatMap((m) => validateK8sManifest(m.doc))).toEqual([]);
  const gw = policy(manifests, 'wb-workbench-gateway');
  expect(gw.spec.ingress).toEqual([{ ports: [{ port: 9999, protocol: 'TCP' }], from }]);
  const policies = policiesOf(manifests);
  const gateway = gatewayPod(manifests);
  expect(ingressAllowed(policies, { namespace: 'ingress-nginx', labels: { app: 'controller' } }, gateway, 9999)).toBe(true);
  expect(ingressAllowed(policies, { namespace: 'elsewhere', labels: {} }, gateway, 9999)).toBe(false);
  expect(ingressAllowed(policies, { namespace: 'ingress-nginx', labels: {} }, gateway, 8888)).toBe(false);
});

test('a gatewayIngressFrom peer Kubernetes would refuse is caught by the manifest validator', () => {
  const { manifests } = render({ networkPolicy: { gatewayIngressFrom: [{ podSelector: { matchLabels: { app: 'not a label value' } } }] } });
  expect(manifests.flatMap((m) => validateK8sManifest(m.doc)).join('\n')).toMatch(/spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabels\.app: "not a label value" must/);
});

test('networkPolicy.enabled false: no policy, and NOTES.txt says the key is the only protection', () => {
  const { manifests, notes } = render({ networkPolicy: { enabled: false } });
  expect(policiesOf(manifests)).toEqual([]);
  expect(notes).toContain('WARNING: networkPolicy.enabled is false');
  expect(notes).toContain('the connection key is the only protection');
});

test('per-user namespaces: only the gateway policy; the known gap is stated in NOTES.txt and deploy/README.md', () => {
  const { manifests, notes } = render({ config: { kubernetes: { namespace: 'wb-user', namespace_per_user: true } }, networkPolicy: { kernelEgress: 'none' } });
  expect(manifests.flatMap((m) => validateK8sManifest(m.doc))).toEqual([]);
  const policies = policiesOf(manifests);
  expect(policies.map((p) => p.metadata.name)).toEqual(['wb-workbench-gateway']);
  // The gap itself: nothing stops any pod from reaching a kernel in a user's namespace.
  const kernel = kernelPod(userNamespace('wb-user', 'alice'));
  expect(ingressAllowed(policies, { namespace: 'elsewhere', labels: {} }, kernel, KERNEL_PORTS.shell_port)).toBe(true);
  expect(notes).toContain('WARNING (known gap): with per-user namespaces no NetworkPolicy protects kernel pods');
  expect(notes).toContain('the launcher does not yet create a NetworkPolicy\nin per-user namespaces');
  expect(README.replace(/\s+/g, ' ').includes('the launcher does not yet create a NetworkPolicy in per-user namespaces')).toBe(true);
  expect(render({ config: { kubernetes: { namespace_per_user: false } } }).notes).not.toContain('known gap');
});
