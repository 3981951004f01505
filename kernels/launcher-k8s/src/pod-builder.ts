/**
 * The typed Pod and Secret of one kernel (never string templates: see
 * Enterprise Gateway advisory GHSA-cfw7-6c5v-2wjq, template injection through
 * kernel env).
 *
 * Connection file: the Secret holds it and is mounted read-only (0400) into
 * a tiny init container that copies it (`install -m 0600`) into a
 * memory-backed emptyDir the kernel owns. Kubelet mounts Secret volumes
 * read-only whatever the pod says, and ipykernel < 6.2x rewrites its
 * connection file at start-up (kernelapp.py write_connection_file), which
 * fails on a read-only file; the copy is private (0600, uid 1000) and
 * writable. The image must therefore provide `install` (coreutils/busybox).
 *
 * Ports: every kernel binds the same well-known ports on 0.0.0.0 in its own
 * pod network namespace; the gateway connects to podIP:port.
 */
import { posix } from 'node:path';
import { AppError } from '@workbench/core';
import { limitEnv, type LaunchRequest } from '@workbench/launcher';
import type { K8s } from './k8s-client';
import { formatCpu, formatMemory } from './quantity';
import { KERNEL_APP, KERNEL_COMPONENT, kernelObjectNames, LABELS, labelValue, MANAGED_BY, OWNER_ANNOTATION } from './names';

export const KERNEL_PORTS = { shell_port: 52000, iopub_port: 52001, stdin_port: 52002, control_port: 52003, hb_port: 52004 } as const;
/** The kernel's private, writable copy of its connection file (emptyDir). */
export const CONNECTION_DIR = '/var/run/workbench';
export const CONNECTION_FILE = `${CONNECTION_DIR}/connection.json`;
/** Where the init container sees the Secret (read-only). */
export const SECRET_DIR = '/var/run/workbench-secret';
export const CONNECTION_KEY = 'connection.json';
export const KERNEL_CONTAINER = 'kernel';
export const INIT_CONTAINER = 'connection-file';

/** What the builder needs from the launcher options (the `kubernetes` config section). */
export interface PodBuilderOptions {
  /** The namespace this kernel goes to (already resolved for per-user namespaces). */
  namespace: string;
  /** Image per kernelspec name; `defaultImage` otherwise. */
  images?: Readonly<Record<string, string>>;
  defaultImage: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  serviceAccount?: string;
  /**
   * The workspace PVC. `root` is the server-side directory the PVC holds
   * (the server's root dir); the kernel's cwd must be inside it and is
   * mounted as the PVC's subPath at `mountPath`, the kernel's working dir.
   */
  workspace?: { pvc: string; mountPath: string; root: string };
  /** Extended resource for GPUs (e.g. "nvidia.com/gpu"), asked for with env KERNEL_GPUS. */
  gpuResource?: string;
  nodeSelector?: Readonly<Record<string, string>>;
  /** uid/gid the kernel runs as (default 1000; the group also owns the volumes). */
  uid?: number;
  gid?: number;
  terminationGracePeriodSeconds?: number;
}

/**
 * The user a kernel belongs to: the authenticated owner the manager passes
 * (`request.owner`), never something a client wrote; KERNEL_USERNAME (as
 * Enterprise Gateway) only when the launcher is used without an owner.
 */
export function kernelUser(request: LaunchRequest): string | undefined {
  if (request.owner) return request.owner;
  const u = request.env.KERNEL_USERNAME;
  return u ? u : undefined;
}

/** [secret, pod] for a launch request, as they are sent to the API server. */
export function buildKernelManifests(request: LaunchRequest, options: PodBuilderOptions): [K8s.V1Secret, K8s.V1Pod] {
  const names = kernelObjectNames(request.kernelId);
  const labels: Record<string, string> = {
    [LABELS.name]: KERNEL_APP,
    [LABELS.component]: KERNEL_COMPONENT,
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.kernelId]: labelValue(request.kernelId),
    [LABELS.kernelName]: labelValue(request.kernelName),
  };
  const user = kernelUser(request);
  if (user) labels[LABELS.user] = labelValue(user);
  const connection = { transport: 'tcp', ip: '0.0.0.0', ...KERNEL_PORTS, key: request.key, signature_scheme: request.signatureScheme, kernel_name: request.kernelName };
  const secret: K8s.V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.secret, namespace: options.namespace, labels: { ...labels } },
    type: 'Opaque',
    immutable: true,
    stringData: { [CONNECTION_KEY]: JSON.stringify(connection) },
  };
  const image = options.images?.[request.kernelName] ?? options.defaultImage;
  const resources = buildResources(request, options);
  const containerSecurity: K8s.V1SecurityContext = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
  const workspace = workspaceMount(request, options);
  const uid = options.uid ?? 1000;
  const gid = options.gid ?? 1000;
  const pod: K8s.V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    // The owner unsanitised (labels cannot hold every user name), so a new gateway can give it back.
    metadata: { name: names.pod, namespace: options.namespace, labels, ...(user ? { annotations: { [OWNER_ANNOTATION]: user } } : {}) },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
      ...(options.nodeSelector && Object.keys(options.nodeSelector).length > 0 ? { nodeSelector: { ...options.nodeSelector } } : {}),
      terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 10,
      securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [
        {
          name: INIT_CONTAINER,
          image,
          ...(options.imagePullPolicy ? { imagePullPolicy: options.imagePullPolicy } : {}),
          command: ['install', '-m', '0600', `${SECRET_DIR}/${CONNECTION_KEY}`, CONNECTION_FILE],
          // As large as the kernel's, so the pod's effective requests and any quota see one size.
          resources,
          securityContext: containerSecurity,
          volumeMounts: [
            { name: 'connection-secret', mountPath: SECRET_DIR, readOnly: true },
            { name: 'connection', mountPath: CONNECTION_DIR },
          ],
        },
      ],
      containers: [
        {
          name: KERNEL_CONTAINER,
          image,
          ...(options.imagePullPolicy ? { imagePullPolicy: options.imagePullPolicy } : {}),
          command: request.argv.map((a) => a.replaceAll('{connection_file}', CONNECTION_FILE)),
          ...(workspace ? { workingDir: workspace.mount.mountPath } : {}),
          env: Object.entries({ ...request.env, ...limitEnv({ memoryBytes: request.resources?.memoryLimitBytes, cpus: request.resources?.cpusLimit }) }).map(([name, value]) => ({ name, value })),
          ports: (Object.entries(KERNEL_PORTS) as [string, number][]).map(([k, port]) => ({ name: k.replace('_port', ''), containerPort: port, protocol: 'TCP' })),
          resources,
          securityContext: containerSecurity,
          volumeMounts: [{ name: 'connection', mountPath: CONNECTION_DIR }, ...(workspace ? [workspace.mount] : [])],
        },
      ],
      volumes: [
        { name: 'connection-secret', secret: { secretName: names.secret, defaultMode: 0o400, items: [{ key: CONNECTION_KEY, path: CONNECTION_KEY }] } },
        { name: 'connection', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        ...(workspace ? [workspace.volume] : []),
      ],
    },
  };
  return [secret, pod];
}

function buildResources(request: LaunchRequest, options: PodBuilderOptions): K8s.V1ResourceRequirements {
  const r = request.resources ?? {};
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r.cpus !== undefined) requests.cpu = formatCpu(r.cpus);
  if (r.memoryBytes !== undefined) requests.memory = formatMemory(r.memoryBytes);
  if (r.cpusLimit !== undefined) limits.cpu = formatCpu(r.cpusLimit);
  if (r.memoryLimitBytes !== undefined) limits.memory = formatMemory(r.memoryLimitBytes);
  const gpus = request.env.KERNEL_GPUS;
  if (gpus !== undefined && gpus !== '' && gpus !== '0') {
    if (!/^[1-9]\d{0,2}$/.test(gpus)) throw new AppError('bad_request', `Cannot start kernel ${request.kernelName}: KERNEL_GPUS=${JSON.stringify(gpus)} is not a whole number of GPUs`);
    if (!options.gpuResource) throw new AppError('bad_request', `Cannot start kernel ${request.kernelName}: KERNEL_GPUS=${gpus} asks for GPUs but kubernetes.gpu_resource is not configured`);
    // Extended resources are whole units and requests must equal limits: a limit alone sets both.
    limits[options.gpuResource] = gpus;
  }
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function workspaceMount(request: LaunchRequest, options: PodBuilderOptions): { mount: K8s.V1VolumeMount; volume: K8s.V1Volume } | undefined {
  const ws = options.workspace;
  if (!ws) return undefined;
  const rel = posix.relative(posix.resolve(ws.root), posix.resolve(request.cwd));
  if (rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel)) {
    throw new AppError('bad_request', `Cannot start kernel ${request.kernelName}: its working directory ${request.cwd} is outside the workspace ${ws.root}`);
  }
  return {
    mount: { name: 'workspace', mountPath: ws.mountPath, ...(rel ? { subPath: rel } : {}) },
    volume: { name: 'workspace', persistentVolumeClaim: { claimName: ws.pvc } },
  };
}
