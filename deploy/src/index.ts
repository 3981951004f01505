/**
 * @workbench/deploy: checks for what Workbench ships to run on Kubernetes.
 * validateK8sManifest is the one other workspaces use (kernels/launcher-k8s
 * checks the Pods, Secrets and Namespaces it builds); the chart renderer and
 * the Dockerfile linter serve this workspace's tests and are exported for
 * tools that want the same checks.
 */
export { validateK8sManifest, createK8sValidator, KUBERNETES_SCHEMA_VERSION, QUANTITY } from './k8s-schema';
export type { K8sValidator } from './k8s-schema';
export { renderChart, checkValues, coalesceValues, ChartError } from './helm-chart';
export type { RenderOptions, RenderedChart, Manifest } from './helm-chart';
export { parseDockerfile, lintDockerfile } from './dockerfile';
export type { Dockerfile, DockerInstruction, DockerfileLintOptions } from './dockerfile';
