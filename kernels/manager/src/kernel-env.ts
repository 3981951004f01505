/**
 * The environment a kernel gets. Nothing is inherited wholesale: the
 * server's own secrets (its token, cookie secret, database passwords) must
 * never reach user code. A small allow-list of the server's variables, the
 * kernelspec's env, then the start request's env: KERNEL_* always (as
 * Enterprise Gateway does), others only when allow-listed by policy.
 */
export interface KernelEnvPolicy {
  /** Server variables copied into every kernel (exact names or prefixes ending in `*`). */
  inherit: readonly string[];
  /** Request env keys accepted besides KERNEL_* (jupyter_server's env_whitelist). */
  allowFromRequest: readonly string[];
}

export const DEFAULT_ENV_POLICY: KernelEnvPolicy = {
  inherit: ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TERM', 'TMPDIR'],
  allowFromRequest: ['JPY_SESSION_NAME'],
};

function matches(patterns: readonly string[], key: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : p === key));
}

export function buildKernelEnv(opts: {
  policy: KernelEnvPolicy;
  serverEnv: Readonly<Record<string, string | undefined>>;
  specEnv?: Readonly<Record<string, string>>;
  requestEnv?: Readonly<Record<string, unknown>>;
  extra?: Readonly<Record<string, string>>;
}): { env: Record<string, string>; rejected: string[] } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.serverEnv)) if (v !== undefined && matches(opts.policy.inherit, k)) env[k] = v;
  Object.assign(env, opts.specEnv ?? {});
  const rejected: string[] = [];
  for (const [k, v] of Object.entries(opts.requestEnv ?? {})) {
    if (typeof v !== 'string') {
      rejected.push(k);
      continue;
    }
    if (k.startsWith('KERNEL_') || matches(opts.policy.allowFromRequest, k)) env[k] = v;
    else rejected.push(k);
  }
  Object.assign(env, opts.extra ?? {});
  return { env, rejected };
}
