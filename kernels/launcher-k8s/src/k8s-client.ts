/**
 * The one door to @kubernetes/client-node. The package is ESM-only; this
 * workspace compiles to CommonJS. Node >= 20.19 can `require()` an ES module
 * natively, but jest's own module loader cannot, so the module is loaded
 * through Node's real `require` (`process.getBuiltinModule` bypasses jest's
 * registry). Under jest the client's objects therefore come from the outer
 * realm: never test them with `instanceof Error`; use `statusCodeOf`.
 */
import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

export type { K8s };
type K8sModule = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });

let loaded: K8sModule | undefined;

/** The client module, loaded on first use (no I/O at import). */
export function k8s(): K8sModule {
  loaded ??= process.getBuiltinModule('node:module').createRequire(__filename)('@kubernetes/client-node') as K8sModule;
  return loaded;
}

/**
 * A KubeConfig from `"in-cluster"` (the pod's service account, the default)
 * or a kubeconfig file path, as `kubernetes.kubeconfig` in the server config.
 */
export function loadKubeConfig(source: string | undefined): K8s.KubeConfig {
  const kc = new (k8s().KubeConfig)();
  if (source === undefined || source === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(source);
  return kc;
}

/** The HTTP status of a failed API call (ApiException.code, or a watch error's statusCode). */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/**
 * The API server's own words for a failed call: the `message` of the Status
 * object in the body (e.g. `pods "kernel-1" already exists`), else the error's
 * first line. ApiException bodies arrive parsed or as a JSON string.
 */
export function statusMessageOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      if (text.trim()) return text.trim().slice(0, 500);
    }
  }
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  const message = (err as { message?: unknown }).message;
  const code = statusCodeOf(err);
  const first = typeof message === 'string' ? message.split('\n')[0]! : String(err);
  return code !== undefined && !first.includes(String(code)) ? `HTTP ${code}: ${first}` : first;
}
