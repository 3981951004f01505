/**
 * The shared launcher contract, against the cluster simulator: the probe
 * kernel runs as a pod's container (a real local process), its cwd is the
 * workspace PVC's subPath, its connection file comes from a Secret through
 * the init container.
 */
import { dirname } from 'node:path';
import { describeLauncherContract } from '@workbench/launcher/contract';
import { KubernetesLauncher } from './k8s-launcher';
import { ClusterSimulator } from './testing/cluster-sim';

let sim: ClusterSimulator;
const launchers: KubernetesLauncher[] = [];
let claims = 0;

beforeAll(async () => {
  sim = await ClusterSimulator.start();
});

afterEach(async () => {
  for (const l of launchers.splice(0)) await l[Symbol.asyncDispose]();
  // Every test disposes its kernel: nothing may be left in the cluster.
  await sim.whenIdle();
  expect(sim.list('pods')).toEqual([]);
  expect(sim.list('secrets')).toEqual([]);
});

afterAll(async () => {
  await sim[Symbol.asyncDispose]();
});

describeLauncherContract('kubernetes (simulator)', (runtimeDir) => {
  // The contract's kernel cwd is the parent of runtimeDir: make that the workspace PVC.
  const claim = `workspace-${++claims}`;
  sim.addVolume(claim, dirname(runtimeDir));
  const launcher = new KubernetesLauncher({
    namespace: 'default',
    defaultImage: 'workbench/probe:1',
    kubeConfig: sim.kubeConfig(),
    workspace: { pvc: claim, mountPath: '/home/jovyan/work', root: dirname(runtimeDir) },
  });
  launchers.push(launcher);
  return launcher;
});
