/**
 * Kernels as Kubernetes pods: the launcher, the typed Pod/Secret builder and
 * the names and labels its objects carry. The cluster simulator used by the
 * tests is at `@workbench/launcher-k8s/testing/cluster-sim`, not here.
 */
export { KubernetesLauncher, type KubernetesLauncherOptions, type DiscoveredKernel } from './k8s-launcher';
export { buildKernelManifests, kernelUser, type PodBuilderOptions, KERNEL_PORTS, CONNECTION_FILE, CONNECTION_DIR, SECRET_DIR, KERNEL_CONTAINER, INIT_CONTAINER } from './pod-builder';
export { type PodSnapshot } from './pod-process';
export { LABELS, KERNEL_SELECTOR, labelValue, userNamespace, kernelObjectNames } from './names';
export { formatCpu, formatMemory, parseQuantity } from './quantity';
