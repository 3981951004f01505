import type { LaunchRequest } from '@workbench/launcher';
import { buildKernelManifests, CONNECTION_FILE, KERNEL_PORTS, PodBuilderOptions } from './pod-builder';

const request: LaunchRequest = {
  kernelId: '5f1e0c1a-6c2b-4b1e-9d7a-0f8b7c6d5e4f',
  argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
  env: { KERNEL_USERNAME: 'alice@example.com', JPY_SESSION_NAME: 'nb.ipynb' },
  cwd: '/srv/notebooks/projects/a',
  key: 'secret-key',
  signatureScheme: 'hmac-sha256',
  kernelName: 'python3',
  resources: { cpus: 0.5, memoryBytes: 512 * 2 ** 20, cpusLimit: 2, memoryLimitBytes: 2 ** 30 },
};

const options: PodBuilderOptions = {
  namespace: 'workbench',
  images: { python3: 'quay.io/jupyter/scipy-notebook:2025-01-01', ir: 'quay.io/jupyter/r-notebook:2025-01-01' },
  defaultImage: 'quay.io/jupyter/base-notebook:2025-01-01',
  imagePullPolicy: 'IfNotPresent',
  serviceAccount: 'kernel',
  workspace: { pvc: 'workspace', mountPath: '/home/jovyan/work', root: '/srv/notebooks' },
  gpuResource: 'nvidia.com/gpu',
  nodeSelector: { 'workbench/pool': 'kernels' },
};

describe('buildKernelManifests', () => {
  it('builds a labelled, non-root pod that runs the kernelspec argv on the mounted connection file', () => {
    const [, pod] = buildKernelManifests(request, options);
    expect(pod.metadata).toEqual({
      name: `kernel-${request.kernelId}`,
      namespace: 'workbench',
      annotations: { 'workbench/user': 'alice@example.com' },
      labels: {
        'app.kubernetes.io/name': 'workbench-kernel',
        'app.kubernetes.io/managed-by': 'workbench',
        component: 'kernel',
        kernel_id: request.kernelId,
        kernel_name: 'python3',
        'workbench/user': expect.stringMatching(/^alice_example\.com-[0-9a-f]{8}$/),
      },
    });
    const spec = pod.spec!;
    expect(spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false, serviceAccountName: 'kernel', nodeSelector: { 'workbench/pool': 'kernels' } });
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } });
    const [kernel] = spec.containers;
    expect(kernel!.image).toBe('quay.io/jupyter/scipy-notebook:2025-01-01');
    expect(kernel!.command).toEqual(['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', CONNECTION_FILE]);
    expect(kernel!.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    // The request's env and the kernel's own limits (MEM_LIMIT bytes, CPU_LIMIT cores): nothing of the server's.
    expect(kernel!.env).toEqual([
      { name: 'KERNEL_USERNAME', value: 'alice@example.com' },
      { name: 'JPY_SESSION_NAME', value: 'nb.ipynb' },
      { name: 'MEM_LIMIT', value: String(2 ** 30) },
      { name: 'CPU_LIMIT', value: '2' },
    ]);
    expect(kernel!.ports!.map((p) => p.containerPort)).toEqual(Object.values(KERNEL_PORTS));
    expect(kernel!.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    expect(spec.initContainers![0]!.resources).toEqual(kernel!.resources);
  });

  it('mounts the workspace PVC with the cwd as subPath, and the connection Secret read-only through the init container', () => {
    const [secret, pod] = buildKernelManifests(request, options);
    const spec = pod.spec!;
    const [kernel] = spec.containers;
    expect(kernel!.workingDir).toBe('/home/jovyan/work');
    expect(kernel!.volumeMounts).toEqual([
      { name: 'connection', mountPath: '/var/run/workbench' },
      { name: 'workspace', mountPath: '/home/jovyan/work', subPath: 'projects/a' },
    ]);
    const init = spec.initContainers![0]!;
    expect(init.command).toEqual(['install', '-m', '0600', '/var/run/workbench-secret/connection.json', CONNECTION_FILE]);
    expect(init.volumeMounts).toContainEqual({ name: 'connection-secret', mountPath: '/var/run/workbench-secret', readOnly: true });
    expect(spec.volumes).toEqual([
      { name: 'connection-secret', secret: { secretName: secret.metadata!.name, defaultMode: 0o400, items: [{ key: 'connection.json', path: 'connection.json' }] } },
      { name: 'connection', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'workspace', persistentVolumeClaim: { claimName: 'workspace' } },
    ]);
    expect(secret).toMatchObject({ kind: 'Secret', type: 'Opaque', immutable: true, metadata: { name: `kernel-${request.kernelId}-connection`, namespace: 'workbench', labels: pod.metadata!.labels } });
    expect(JSON.parse(secret.stringData!['connection.json']!)).toEqual({ transport: 'tcp', ip: '0.0.0.0', ...KERNEL_PORTS, key: 'secret-key', signature_scheme: 'hmac-sha256', kernel_name: 'python3' });
  });

  it('uses the default image, no subPath at the workspace root, and no workspace or resources when not configured', () => {
    const [, atRoot] = buildKernelManifests({ ...request, kernelName: 'julia', cwd: '/srv/notebooks' }, options);
    expect(atRoot.spec!.containers[0]!.image).toBe(options.defaultImage);
    expect(atRoot.spec!.containers[0]!.volumeMounts![1]).toEqual({ name: 'workspace', mountPath: '/home/jovyan/work' });
    const [, bare] = buildKernelManifests({ ...request, resources: undefined }, { namespace: 'x', defaultImage: 'img:1' });
    const c = bare.spec!.containers[0]!;
    expect(c.resources).toEqual({});
    expect(c.workingDir).toBeUndefined();
    expect(c.volumeMounts).toEqual([{ name: 'connection', mountPath: '/var/run/workbench' }]);
    expect(bare.spec!.serviceAccountName).toBeUndefined();
    expect(bare.spec!.nodeSelector).toBeUndefined();
  });

  it('asks for GPUs with KERNEL_GPUS as a limit of the configured extended resource', () => {
    const [, pod] = buildKernelManifests({ ...request, env: { KERNEL_GPUS: '2' } }, options);
    expect(pod.spec!.containers[0]!.resources!.limits).toMatchObject({ 'nvidia.com/gpu': '2' });
    expect(() => buildKernelManifests({ ...request, env: { KERNEL_GPUS: 'many' } }, options)).toThrow(/KERNEL_GPUS="many" is not a whole number/);
    expect(() => buildKernelManifests({ ...request, env: { KERNEL_GPUS: '1' } }, { ...options, gpuResource: undefined })).toThrow(/gpu_resource is not configured/);
  });

  it('refuses a working directory outside the workspace', () => {
    expect(() => buildKernelManifests({ ...request, cwd: '/etc' }, options)).toThrow(expect.objectContaining({ code: 'bad_request', message: expect.stringMatching(/outside the workspace/) }));
  });

  it('never interprets user input: env values and argv reach the pod as data', () => {
    const hostile = '{{ .Values.secret }} $(rm -rf /) ${HOME}"\n';
    const [, pod] = buildKernelManifests({ ...request, resources: {}, argv: ['/bin/k', hostile, '{connection_file}'], env: { KERNEL_X: hostile } }, options);
    expect(pod.spec!.containers[0]!.command).toEqual(['/bin/k', hostile, CONNECTION_FILE]);
    expect(pod.spec!.containers[0]!.env).toEqual([{ name: 'KERNEL_X', value: hostile }]);
  });
});
