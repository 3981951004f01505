/**
 * What the Kubernetes launcher sends to the API server (kernels/launcher-k8s
 * buildKernelManifests) is valid for Kubernetes 1.36, for plain and for
 * fully-featured requests (limits, GPU, workspace volume, node selector).
 */
import { buildKernelManifests } from '@workbench/launcher-k8s';
import type { LaunchRequest } from '@workbench/launcher';
import { validateK8sManifest } from './k8s-schema';

const base: LaunchRequest = {
  kernelId: '0b7e1c6a-1f55-4b7e-9d61-3f0f2c9a8e11',
  argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
  env: { PATH: '/usr/bin:/bin', KERNEL_USERNAME: 'alice@example.com', JPY_SESSION_NAME: 'reports/month-end.ipynb' },
  cwd: '/srv/workspace/reports',
  key: 'a'.repeat(64),
  signatureScheme: 'hmac-sha256',
  kernelName: 'python3',
  owner: 'Alice.Smith@example.com',
};

describe('kernel Pods and Secrets the launcher builds', () => {
  it('validate against the Kubernetes schema for a plain request', () => {
    const [secret, pod] = buildKernelManifests(base, { namespace: 'workbench', defaultImage: 'registry.example.com/workbench/kernel-python:1.0' });
    expect(validateK8sManifest(secret)).toEqual([]);
    expect(validateK8sManifest(pod)).toEqual([]);
  });

  it('validate with limits, a GPU, the workspace volume and a node selector; quantities are Kubernetes quantities', () => {
    const request: LaunchRequest = {
      ...base,
      env: { ...base.env, KERNEL_GPUS: '1' },
      resources: { cpus: 0.5, cpusLimit: 2, memoryBytes: 512 * 1024 ** 2, memoryLimitBytes: 4 * 1024 ** 3 },
    };
    const [secret, pod] = buildKernelManifests(request, {
      namespace: 'workbench-alice',
      defaultImage: 'registry.example.com/workbench/kernel-python:1.0',
      imagePullPolicy: 'IfNotPresent',
      serviceAccount: 'workbench-kernel',
      workspace: { pvc: 'workbench-workspace', mountPath: '/home/jovyan/work', root: '/srv/workspace' },
      gpuResource: 'nvidia.com/gpu',
      nodeSelector: { 'workbench/pool': 'kernels' },
    });
    expect(validateK8sManifest(secret)).toEqual([]);
    expect(validateK8sManifest(pod)).toEqual([]);
    const kernel = pod.spec!.containers.find((c) => c.resources?.limits)!;
    expect(kernel.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } });
  });

  it('is caught by the validator when broken (an invalid quantity, an unknown field)', () => {
    const [, pod] = buildKernelManifests(base, { namespace: 'workbench', defaultImage: 'img:1' });
    const broken = JSON.parse(JSON.stringify(pod));
    broken.spec.containers[0].resources = { limits: { memory: '4 gigs' } };
    broken.spec.restartPolicyy = 'Never';
    const errors = validateK8sManifest(broken).join('\n');
    expect(errors).toMatch(/4 gigs/);
    expect(errors).toMatch(/restartPolicyy/);
  });
});
