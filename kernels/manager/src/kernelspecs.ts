/**
 * Kernelspec discovery from the standard Jupyter paths (jupyter_core
 * paths.py: JUPYTER_PATH, the user data dir, then system dirs) plus specs
 * the server provides itself. The first directory holding a name wins.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { AppError, Logger, silentLogger } from '@workbench/core';

export interface KernelSpecFile {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export interface KernelSpec {
  name: string;
  spec: KernelSpecFile;
  /** Absolute directory of the spec (resources live there). */
  resourceDir: string;
  /** Resource file name -> URL-relative name, as jupyter_server lists them. */
  resources: Record<string, string>;
}

export function assertKernelSpecFile(value: unknown, where: string): asserts value is KernelSpecFile {
  const v = value as Record<string, unknown>;
  const bad = (why: string) => new AppError('bad_request', `Cannot read kernelspec ${where}: ${why}`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('kernel.json is not an object');
  if (!Array.isArray(v.argv) || v.argv.length === 0 || !v.argv.every((a) => typeof a === 'string')) throw bad('argv must be a non-empty array of strings');
  if (typeof v.display_name !== 'string') throw bad('display_name must be a string');
  if (typeof v.language !== 'string') throw bad('language must be a string');
  if (v.interrupt_mode !== undefined && v.interrupt_mode !== 'signal' && v.interrupt_mode !== 'message') throw bad('interrupt_mode must be "signal" or "message"');
  if (v.env !== undefined && (typeof v.env !== 'object' || v.env === null || !Object.values(v.env).every((e) => typeof e === 'string'))) throw bad('env must map names to strings');
}

/** The kernelspec directories in precedence order, from the given environment. */
export function jupyterKernelDirs(env: Readonly<Record<string, string | undefined>>, home = homedir()): string[] {
  const dirs: string[] = [];
  for (const p of (env.JUPYTER_PATH ?? '').split(':').filter(Boolean)) dirs.push(join(p, 'kernels'));
  dirs.push(join(env.JUPYTER_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'jupyter'), 'kernels'));
  dirs.push('/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels');
  return [...new Set(dirs.map((d) => resolve(d)))];
}

const RESOURCE_FILES = /^(logo-\d+x\d+\.png|logo-svg\.svg|kernel\.js|kernel\.css)$/;

export interface KernelSpecManagerOptions {
  dirs: string[];
  /** Specs the server itself provides (they lose to a same-named spec on disk). */
  builtin?: KernelSpec[];
  /** Rewrites a spec after reading (e.g. the python interpreter substitution). */
  transform?: (spec: KernelSpec) => Promise<KernelSpec>;
  defaultName?: string;
  /** When not empty, only these names are listed and can be started (jupyter_client's allowed_kernelspecs). */
  allowed?: readonly string[];
  logger?: Logger;
}

export class KernelSpecManager {
  private readonly logger: Logger;

  constructor(private readonly options: KernelSpecManagerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** All specs by name. Read from disk on each call, like jupyter_client, so new installs appear without a restart. */
  async list(): Promise<Map<string, KernelSpec>> {
    const found = new Map<string, KernelSpec>();
    for (const dir of this.options.dirs) {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        continue;
      }
      for (const entry of entries.sort()) {
        const name = entry.toLowerCase();
        if (found.has(name) || !/^[a-z0-9._-]+$/.test(name)) continue;
        const spec = await this.read(join(dir, entry), name);
        if (spec) found.set(name, spec);
      }
    }
    for (const b of this.options.builtin ?? []) if (!found.has(b.name)) found.set(b.name, b);
    const allowed = this.options.allowed;
    if (allowed && allowed.length > 0) for (const name of found.keys()) if (!allowed.includes(name)) found.delete(name);
    const transform = this.options.transform;
    if (transform) for (const [k, v] of found) found.set(k, await transform(v));
    return found;
  }

  async get(name: string): Promise<KernelSpec> {
    const spec = (await this.list()).get(name.toLowerCase());
    if (!spec) throw new AppError('not_found', `Cannot find kernelspec: no kernel named ${JSON.stringify(name)}`);
    return spec;
  }

  async defaultName(): Promise<string> {
    const specs = await this.list();
    const wanted = this.options.defaultName;
    if (wanted && specs.has(wanted)) return wanted;
    if (specs.has('python3')) return 'python3';
    return specs.keys().next().value ?? wanted ?? 'python3';
  }

  /** Absolute path of a resource file (logo), or not_found. */
  async resourcePath(name: string, resource: string): Promise<string> {
    const spec = await this.get(name);
    if (!RESOURCE_FILES.test(resource) || !(resource in spec.resources)) {
      throw new AppError('not_found', `Cannot find kernelspec resource: ${name}/${resource}`);
    }
    return join(spec.resourceDir, resource);
  }

  private async read(dir: string, name: string): Promise<KernelSpec | undefined> {
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) return undefined;
      const json: unknown = JSON.parse(await readFile(join(dir, 'kernel.json'), 'utf8'));
      assertKernelSpecFile(json, dir);
      const resources: Record<string, string> = {};
      for (const f of await readdir(dir)) if (RESOURCE_FILES.test(f)) resources[f] = f;
      return { name, spec: json, resourceDir: dir, resources };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ dir, err: String(err) }, 'skipped invalid kernelspec');
      return undefined;
    }
  }
}

/** The REST shape of a kernelspec (jupyter_server kernelspecs/handlers.py kernelspec_model). */
export function kernelSpecModel(spec: KernelSpec, baseUrl: string): { name: string; spec: KernelSpecFile; resources: Record<string, string> } {
  const resources: Record<string, string> = {};
  for (const r of Object.keys(spec.resources)) {
    resources[r.replace(/\.(png|svg)$/, '').replace(/^logo-svg$/, 'logo-svg')] = `${baseUrl}kernelspecs/${encodeURIComponent(spec.name)}/${r}`;
  }
  return { name: spec.name, spec: spec.spec, resources };
}
