/**
 * Names and labels of kernel objects. Kubernetes limits them
 * (k8s.io/apimachinery validation): label values are at most 63 characters
 * of [A-Za-z0-9_.-] starting and ending alphanumeric; namespaces are DNS-1123
 * labels ([a-z0-9-], at most 63). Anything a user chose (a user name, a
 * kernelspec name) is sanitised; when sanitising changed it, a short hash of
 * the original keeps two different inputs from landing on one name.
 */
import { createHash } from 'node:crypto';
import { AppError } from '@workbench/core';

/** Labels every kernel object carries; discovery selects on the first two. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  component: 'component',
  managedBy: 'app.kubernetes.io/managed-by',
  kernelId: 'kernel_id',
  kernelName: 'kernel_name',
  user: 'workbench/user',
} as const;

export const KERNEL_APP = 'workbench-kernel';
export const KERNEL_COMPONENT = 'kernel';
export const MANAGED_BY = 'workbench';
/** Label selector matching every kernel pod and secret this launcher creates. */
export const KERNEL_SELECTOR = `${LABELS.name}=${KERNEL_APP},${LABELS.component}=${KERNEL_COMPONENT}`;
/** Namespace annotation holding the exact user a per-user namespace belongs to. */
export const OWNER_ANNOTATION = 'workbench/user';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/** `s` as a label value: unchanged when already valid, else sanitised with a hash suffix. */
export function labelValue(s: string): string {
  if (isLabelValue(s)) return s;
  const body = s
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 54)
    .replace(/[^A-Za-z0-9]+$/, '');
  return body ? `${body}-${shortHash(s)}` : shortHash(s);
}

/** `<prefix>-<user>` as a DNS-1123 label; a hash of the user is appended when the user was not already one. */
export function userNamespace(prefix: string, user: string): string {
  const plain = `${prefix}-${user}`;
  if (isDnsLabel(plain) && !/-[0-9a-f]{8}$/.test(plain)) return plain;
  const room = 63 - prefix.length - 10;
  const body = user
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, Math.max(0, room))
    .replace(/^-+|-+$/g, '');
  const name = `${prefix}-${body ? `${body}-` : ''}${shortHash(user)}`;
  if (!isDnsLabel(name)) throw new AppError('bad_request', `Cannot name a namespace for user ${JSON.stringify(user)}: prefix ${JSON.stringify(prefix)} is not a short DNS label`);
  return name;
}

/** Pod and Secret names of a kernel; the kernel id must already be a DNS label (a UUID is). */
export function kernelObjectNames(kernelId: string): { pod: string; secret: string } {
  const pod = `kernel-${kernelId}`;
  const secret = `${pod}-connection`;
  if (!isDnsLabel(secret)) {
    throw new AppError('bad_request', `Cannot name a pod for kernel ${JSON.stringify(kernelId)}: a kernel id must be lowercase letters, digits and '-' (at most 44 characters)`);
  }
  return { pod, secret };
}
