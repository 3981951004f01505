/**
 * Reads an existing `jupyter_server_config.json` (JUPYTER_CONFIG_DIR,
 * default ~/.jupyter) for the keys Workbench understands, the way
 * traitlets would: a section named after a class applies to that class
 * and to all its subclasses, base class first, so the most derived section
 * wins (traitlets `Configurable.section_names`, which walks the MRO in
 * reverse). JupyterLab's own test harness, for example, writes
 * `MultiKernelManager.default_kernel_name`, which jupyter_server's
 * `AsyncMappingKernelManager` inherits.
 *
 * The chains below are the MROs of the classes jupyter_server 2 uses by
 * default, restricted to the configurable classes that declare the traits
 * read here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConfigFile } from './config-schema';

/** Base class first, the class jupyter_server instantiates last. */
export const TRAITLETS_CHAINS = {
  /** ServerApp(JupyterApp(Application)); NotebookApp is the older name of the same settings (jupyter_server migrates it), ServerApp wins. */
  server: ['Application', 'JupyterApp', 'NotebookApp', 'ServerApp'],
  /** The identity provider jupyter_server 2 uses: PasswordIdentityProvider(IdentityProvider). */
  identity: ['IdentityProvider', 'PasswordIdentityProvider'],
  /** AsyncMappingKernelManager(MappingKernelManager(MultiKernelManager), AsyncMultiKernelManager(MultiKernelManager)). */
  multiKernel: ['MultiKernelManager', 'AsyncMultiKernelManager', 'MappingKernelManager', 'AsyncMappingKernelManager'],
  /** One kernel's manager: ServerKernelManager(AsyncIOLoopKernelManager(AsyncKernelManager(KernelManager))). */
  kernel: ['KernelManager', 'AsyncKernelManager', 'AsyncIOLoopKernelManager', 'ServerKernelManager'],
  /** AsyncLargeFileManager(LargeFileManager, AsyncFileContentsManager(FileContentsManager(FileManagerMixin, ContentsManager), AsyncContentsManager)). */
  contents: ['ContentsManager', 'AsyncContentsManager', 'FileManagerMixin', 'FileContentsManager', 'AsyncFileContentsManager', 'LargeFileManager', 'AsyncLargeFileManager'],
  /** jupyter_client's KernelSpecManager is used as it is. */
  kernelSpecs: ['KernelSpecManager'],
} as const;

type Section = Record<string, unknown>;

/** The merged settings of one class: every section of its chain, later (more derived) ones winning key by key. */
export function traitletsSection(raw: Record<string, unknown>, chain: readonly string[]): Section {
  const merged: Section = {};
  for (const name of chain) {
    const section = raw[name];
    if (section && typeof section === 'object' && !Array.isArray(section)) Object.assign(merged, section);
  }
  return merged;
}

export class JupyterConfigError extends Error {}

/** The keys of a Jupyter config object that Workbench honours, as a partial Workbench config file. */
export function fromJupyterConfig(raw: Record<string, unknown>): ConfigFile {
  const sa = traitletsSection(raw, TRAITLETS_CHAINS.server);
  const ip = traitletsSection(raw, TRAITLETS_CHAINS.identity);
  const mkm = traitletsSection(raw, TRAITLETS_CHAINS.multiKernel);
  const km = traitletsSection(raw, TRAITLETS_CHAINS.kernel);
  const cm = traitletsSection(raw, TRAITLETS_CHAINS.contents);
  const ksm = traitletsSection(raw, TRAITLETS_CHAINS.kernelSpecs);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

  const out: ConfigFile = {};
  const set = <K extends keyof ConfigFile>(k: K, v: ConfigFile[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('token', str(ip.token) ?? str(sa.token));
  set('root_dir', str(sa.root_dir) ?? str(sa.notebook_dir) ?? str(cm.root_dir));
  set('ip', str(sa.ip));
  set('port', num(sa.port));
  set('base_url', str(sa.base_url));
  set('default_kernel', str(mkm.default_kernel_name) ?? str(sa.default_kernel_name));
  set('allow_origin', str(sa.allow_origin) ? [str(sa.allow_origin)!] : undefined);
  set('allow_origin_pat', str(sa.allow_origin_pat));
  set('trust_xheaders', bool(sa.trust_xheaders));
  set('log_level', logLevel(sa.log_level));

  const kernels: NonNullable<ConfigFile['kernels']> = {};
  if (num(mkm.cull_idle_timeout) !== undefined) kernels.cull_idle_timeout = num(mkm.cull_idle_timeout);
  if (num(mkm.cull_interval) !== undefined) kernels.cull_interval = num(mkm.cull_interval);
  if (bool(mkm.cull_connected) !== undefined) kernels.cull_connected = bool(mkm.cull_connected);
  if (bool(mkm.cull_busy) !== undefined) kernels.cull_busy = bool(mkm.cull_busy);
  const wait = num(km.shutdown_wait_time) ?? num(mkm.shutdown_wait_time);
  if (wait !== undefined && wait > 0) kernels.shutdown_wait_s = wait;
  // `whitelist` is the deprecated name jupyter_client still maps onto allowed_kernelspecs.
  const allowed = strings(ksm.allowed_kernelspecs) ?? strings(ksm.whitelist);
  if (allowed && allowed.length > 0) kernels.allowed_kernelspecs = allowed;
  if (Object.keys(kernels).length > 0) out.kernels = kernels;

  if (bool(cm.allow_hidden) !== undefined) out.contents = { allow_hidden: bool(cm.allow_hidden) };
  return out;
}

/** traitlets log levels are names or numbers (logging.DEBUG = 10 ...). */
function logLevel(v: unknown): ConfigFile['log_level'] | undefined {
  const names: Record<string, ConfigFile['log_level']> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', WARNING: 'warn', ERROR: 'error', CRITICAL: 'fatal' };
  if (typeof v === 'string') return names[v.toUpperCase()];
  if (typeof v === 'number') return v <= 10 ? 'debug' : v <= 20 ? 'info' : v <= 30 ? 'warn' : v <= 40 ? 'error' : 'fatal';
  return undefined;
}

/** `jupyter_server_config.json` in JUPYTER_CONFIG_DIR (default ~/.jupyter), or nothing. */
export function readJupyterConfig(env: NodeJS.ProcessEnv): ConfigFile {
  const dir = env.JUPYTER_CONFIG_DIR ?? join(homedir(), '.jupyter');
  const file = join(dir, 'jupyter_server_config.json');
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new JupyterConfigError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new JupyterConfigError(`Cannot read ${file}: not a JSON object`);
  return fromJupyterConfig(raw as Record<string, unknown>);
}
