/**
 * The checks the Kubernetes API server makes that its OpenAPI document does
 * not express: object names (DNS-1123 subdomain / label, DNS-1035 label, path
 * segment, by kind), label and annotation syntax, a Deployment's selector
 * matching its pod template, container and port names, ConfigMap / Secret
 * keys, and a NetworkPolicy's selectors, peers, ports and policy types. Rules
 * from k8s.io/apimachinery/pkg/util/validation, .../apis/meta/v1/validation
 * (label selectors), pkg/apis/networking/validation and
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/.
 */
import { isIP } from 'node:net';
import { isMap } from './go-format';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export function dns1123Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return DNS1123_LABEL.test(v) ? undefined : "must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with an alphanumeric character)";
}

export function dns1123Subdomain(v: string): string | undefined {
  if (v.length > 253) return 'must be no more than 253 characters';
  return DNS1123_SUBDOMAIN.test(v) ? undefined : "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', starting and ending with an alphanumeric character)";
}

function dns1035Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return DNS1035_LABEL.test(v) ? undefined : "must be a lowercase RFC 1035 label (a-z, 0-9 and '-', starting with a letter and ending with an alphanumeric character)";
}

function pathSegment(v: string): string | undefined {
  if (v === '.' || v === '..') return `may not be '${v}'`;
  return /[/%]/.test(v) ? "may not contain '/' or '%'" : undefined;
}

/** A label or annotation key: optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function qualifiedName(v: string): string | undefined {
  const slash = v.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, v] : [v.slice(0, slash), v.slice(slash + 1)];
  if (prefix !== undefined) {
    const p = prefix.length === 0 ? 'prefix part must be non-empty' : dns1123Subdomain(prefix);
    if (p) return `prefix part ${p}`;
  }
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  return QUALIFIED_NAME.test(name) ? undefined : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
}

export function labelValue(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return v === '' || QUALIFIED_NAME.test(v) ? undefined : "must be empty or consist of alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character";
}

/** IANA_SVC_NAME: at most 15 lowercase alphanumerics or '-', with a letter, no '--', not starting or ending with '-'. */
function isServiceName(v: string): boolean {
  return v.length <= 15 && IANA_SVC_NAME.test(v) && /[a-z]/.test(v) && !v.includes('--');
}

const NAME_RULE: Record<string, (v: string) => string | undefined> = {
  Namespace: dns1123Label,
  Service: dns1035Label,
  Role: pathSegment,
  RoleBinding: pathSegment,
  ClusterRole: pathSegment,
  ClusterRoleBinding: pathSegment,
};

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/** Problems with the parts of `obj` named above; paths are dotted from the object's root. */
export function checkNames(kind: string, obj: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const meta = isMap(obj.metadata) ? obj.metadata : {};
  const name = meta.name;
  if (typeof name === 'string') {
    const why = (NAME_RULE[kind] ?? dns1123Subdomain)(name);
    if (why) errors.push(`metadata.name: "${name}" ${why}`);
  } else if (typeof meta.generateName !== 'string') {
    errors.push('metadata.name: missing (or metadata.generateName)');
  }
  if (typeof meta.namespace === 'string') {
    if (CLUSTER_SCOPED.has(kind)) errors.push(`metadata.namespace: ${kind} is cluster-scoped and has no namespace`);
    const why = dns1123Label(meta.namespace);
    if (why) errors.push(`metadata.namespace: "${meta.namespace}" ${why}`);
  }
  errors.push(...checkLabels('metadata', meta));
  if (kind === 'Deployment' && isMap(obj.spec)) errors.push(...checkDeployment(obj.spec));
  if (kind === 'Pod' && isMap(obj.spec)) errors.push(...checkPodSpec('spec', obj.spec));
  if (kind === 'NetworkPolicy' && isMap(obj.spec)) errors.push(...checkNetworkPolicy(obj.spec));
  if (kind === 'Service' && isMap(obj.spec) && Array.isArray(obj.spec.ports)) {
    obj.spec.ports.forEach((p: unknown, j) => {
      if (!isMap(p)) return;
      if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) errors.push(`spec.ports[${j}].port: ${p.port} must be between 1 and 65535`);
      if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) errors.push(`spec.ports[${j}].targetPort: ${p.targetPort} must be between 1 and 65535`);
      if (typeof p.targetPort === 'string' && !isServiceName(p.targetPort)) errors.push(`spec.ports[${j}].targetPort: "${p.targetPort}" must be a port number or an IANA service name`);
    });
  }
  if ((kind === 'Secret' || kind === 'ConfigMap') && (isMap(obj.data) || isMap(obj.stringData) || isMap(obj.binaryData))) {
    for (const field of ['data', 'stringData', 'binaryData']) {
      const m = obj[field];
      if (!isMap(m)) continue;
      for (const key of Object.keys(m)) {
        if (key.length > 253 || !CONFIG_KEY.test(key)) errors.push(`${field}: key "${key}" must consist of alphanumeric characters, '-', '_' or '.' (at most 253)`);
      }
    }
  }
  return errors;
}

function checkLabels(at: string, meta: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (isMap(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) {
      const kw = qualifiedName(k);
      if (kw) errors.push(`${at}.labels: key "${k}": ${kw}`);
      const vw = typeof v === 'string' ? labelValue(v) : undefined;
      if (vw) errors.push(`${at}.labels.${k}: "${String(v)}" ${vw}`);
    }
  }
  if (isMap(meta.annotations)) {
    for (const k of Object.keys(meta.annotations)) {
      const kw = qualifiedName(k);
      if (kw) errors.push(`${at}.annotations: key "${k}": ${kw}`);
    }
  }
  return errors;
}

function checkDeployment(spec: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const template = isMap(spec.template) ? spec.template : {};
  const tmeta = isMap(template.metadata) ? template.metadata : {};
  const labels = isMap(tmeta.labels) ? tmeta.labels : {};
  errors.push(...checkLabels('spec.template.metadata', tmeta));
  const selector = isMap(spec.selector) ? spec.selector : {};
  const match = isMap(selector.matchLabels) ? selector.matchLabels : {};
  if (Object.keys(match).length === 0 && !Array.isArray(selector.matchExpressions)) errors.push('spec.selector: empty selector is invalid for a Deployment');
  for (const [k, v] of Object.entries(match)) {
    if (labels[k] !== v) errors.push(`spec.template.metadata.labels: selector does not match template labels (${k}=${String(v)})`);
  }
  if (isMap(template.spec)) errors.push(...checkPodSpec('spec.template.spec', template.spec));
  return errors;
}

function checkPodSpec(at: string, spec: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      if (!isMap(c)) return;
      const where = `${at}.${field}[${i}]`;
      if (typeof c.name === 'string') {
        const why = dns1123Label(c.name);
        if (why) errors.push(`${where}.name: "${c.name}" ${why}`);
        if (names.has(c.name)) errors.push(`${where}.name: duplicate container name "${c.name}"`);
        names.add(c.name);
      }
      if (Array.isArray(c.ports)) {
        c.ports.forEach((p: unknown, j) => {
          if (!isMap(p)) return;
          for (const f of ['containerPort', 'hostPort']) {
            const n = p[f];
            if (typeof n === 'number' && (n < 1 || n > 65535)) errors.push(`${where}.ports[${j}].${f}: ${n} must be between 1 and 65535`);
          }
          if (typeof p.name !== 'string') return;
          if (!isServiceName(p.name)) {
            errors.push(`${where}.ports[${j}].name: "${p.name}" must be an IANA service name (at most 15 lowercase alphanumerics or '-', with a letter)`);
          }
        });
      }
    });
  }
  const volumes = new Set((Array.isArray(spec.volumes) ? spec.volumes : []).map((v: unknown) => (isMap(v) ? v.name : undefined)));
  for (const field of ['initContainers', 'containers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      if (!isMap(c) || !Array.isArray(c.volumeMounts)) return;
      c.volumeMounts.forEach((m: unknown, j) => {
        if (isMap(m) && typeof m.name === 'string' && !volumes.has(m.name)) errors.push(`${at}.${field}[${i}].volumeMounts[${j}].name: volume "${m.name}" is not in ${at}.volumes`);
      });
    });
  }
  return errors;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** A LabelSelector: label keys and values, operators and whether they take values. */
function checkSelector(at: string, selector: unknown): string[] {
  if (!isMap(selector)) return [];
  const errors: string[] = [];
  if (isMap(selector.matchLabels)) errors.push(...checkLabels(at, { labels: selector.matchLabels }).map((e) => e.replace(`${at}.labels`, `${at}.matchLabels`)));
  if (!Array.isArray(selector.matchExpressions)) return errors;
  selector.matchExpressions.forEach((e: unknown, i) => {
    if (!isMap(e)) return;
    const where = `${at}.matchExpressions[${i}]`;
    const why = typeof e.key === 'string' ? qualifiedName(e.key) : undefined;
    if (why) errors.push(`${where}.key: "${String(e.key)}": ${why}`);
    const values = Array.isArray(e.values) ? e.values : [];
    if (typeof e.operator === 'string' && !SELECTOR_OPERATORS.includes(e.operator)) errors.push(`${where}.operator: "${e.operator}" must be one of ${SELECTOR_OPERATORS.join(', ')}`);
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) errors.push(`${where}.values: must be given for operator ${e.operator}`);
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) errors.push(`${where}.values: must be empty for operator ${e.operator}`);
    values.forEach((v: unknown, j) => {
      const vw = typeof v === 'string' ? labelValue(v) : undefined;
      if (vw) errors.push(`${where}.values[${j}]: "${String(v)}" ${vw}`);
    });
  });
  return errors;
}

function isCidr(v: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  const family = m ? isIP(m[1]!) : 0;
  return family !== 0 && Number(m![2]) <= (family === 4 ? 32 : 128);
}

function checkNetworkPolicy(spec: Record<string, unknown>): string[] {
  const errors = checkSelector('spec.podSelector', spec.podSelector);
  if (Array.isArray(spec.policyTypes)) {
    spec.policyTypes.forEach((t: unknown, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errors.push(`spec.policyTypes[${i}]: ${JSON.stringify(t)} must be Ingress or Egress`);
    });
  }
  for (const [direction, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: unknown, i) => {
      if (!isMap(rule)) return;
      const at = `spec.${direction}[${i}]`;
      (Array.isArray(rule[peersField]) ? rule[peersField] : []).forEach((peer: unknown, j) => {
        if (!isMap(peer)) return;
        const where = `${at}.${peersField}[${j}]`;
        const bySelector = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
        if (!bySelector && peer.ipBlock === undefined) errors.push(`${where}: must specify a peer (podSelector, namespaceSelector or ipBlock)`);
        if (bySelector && peer.ipBlock !== undefined) errors.push(`${where}: may not specify ipBlock together with a selector`);
        errors.push(...checkSelector(`${where}.podSelector`, peer.podSelector), ...checkSelector(`${where}.namespaceSelector`, peer.namespaceSelector));
        const block = isMap(peer.ipBlock) ? peer.ipBlock : {};
        if (typeof block.cidr === 'string' && !isCidr(block.cidr)) errors.push(`${where}.ipBlock.cidr: "${block.cidr}" must be a CIDR such as 10.0.0.0/8`);
        (Array.isArray(block.except) ? block.except : []).forEach((c: unknown, k) => {
          if (typeof c === 'string' && !isCidr(c)) errors.push(`${where}.ipBlock.except[${k}]: "${c}" must be a CIDR such as 10.0.0.0/8`);
        });
      });
      (Array.isArray(rule.ports) ? rule.ports : []).forEach((p: unknown, j) => {
        if (!isMap(p)) return;
        const where = `${at}.ports[${j}]`;
        if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol as string)) errors.push(`${where}.protocol: ${JSON.stringify(p.protocol)} must be TCP, UDP or SCTP`);
        if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) errors.push(`${where}.port: ${p.port} must be between 1 and 65535`);
        if (typeof p.port === 'string' && !isServiceName(p.port)) errors.push(`${where}.port: "${p.port}" must be a port number or an IANA service name`);
        if (p.endPort !== undefined && (typeof p.port !== 'number' || typeof p.endPort !== 'number' || p.endPort < p.port || p.endPort > 65535)) {
          errors.push(`${where}.endPort: must be a number from port to 65535, with a numeric port`);
        }
      });
    });
  }
  return errors;
}
