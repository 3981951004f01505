/**
 * Per-project Python environments (issue 17, PRD NB-002).
 *
 * A project's environment is a virtual environment built once from its
 * requirements and cached under `envsDir`, named by a hash of the project
 * folder, the requirements text and the base interpreter: the same
 * requirements reuse it, changed requirements build a new one (the old one
 * stays on disk). Builds run once at a time per environment, also across
 * servers sharing envsDir when given the metadata store's locks (`locks`);
 * a build that fails leaves no environment behind, and its pip log beside
 * the envs.
 *
 * `python -m venv --system-site-packages`: ipykernel (and the rest of the
 * distribution's packages) come from the base interpreter; what the project
 * installs goes into the venv's own site-packages, which comes first on
 * sys.path. Without a pip of its own when the base interpreter has one
 * (Debian's python3-pip), which makes a build a fraction of a second.
 *
 * Kernels: `prepareKernel` (KernelManager's seam, called for kernels that
 * run on this machine only, not pods) runs a Python kernel of a notebook
 * inside a project with `<venv>/bin/python`, shows the venv
 * read-write in the sandbox, and sets VIRTUAL_ENV, PATH and PIP_* so that
 * `%pip install` (IPython runs `sys.executable -m pip`) installs into the
 * project's environment with the configured index. The environment belongs
 * to that one project folder (the folder is in the hash), so what %pip adds
 * is seen by that project's kernels only, until its requirements change.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join, relative } from 'node:path';
import { AppError, Logger, raceSignal } from '@workbench/core';
import type { KernelPreparation, KernelSpec } from '@workbench/manager';
import { findProject, isEmptyRequirements, Project, readRequirements, requirementIncludes } from './project';
import { lastLines, runProcess } from './run-process';

export interface EnvironmentsOptions {
  /** The workspace root notebooks' paths are relative to. */
  rootDir: string;
  /** Where environments are kept (`<data_dir>/envs`). */
  envsDir: string;
  /** The package index for builds and %pip (a company mirror); pip's default otherwise. */
  indexUrl?: string;
  extraIndexUrls?: readonly string[];
  /** Variables pip runs with (PATH, HOME, proxies); nothing else of the server's environment. */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Longest a build may take. */
  buildTimeoutMs?: number;
  /**
   * Locks shared by every server that builds into this envsDir (the metadata
   * store's held locks: on PostgreSQL, across replicas). With them, one
   * server builds an environment while the others wait for it, and prune
   * leaves alone what another is building. Without: this process only.
   */
  locks?: BuildLocks;
  /** Which environment folders running processes use (default: read from /proc; tests pass their own). */
  inUse?: () => Promise<ReadonlySet<string>>;
  now?: () => number;
}

/** Named locks held for minutes (MetadataStore.holdLock / tryHoldLock). */
export interface BuildLocks {
  hold(name: string, signal?: AbortSignal): Promise<() => Promise<void>>;
  tryHold(name: string): Promise<(() => Promise<void>) | undefined>;
}

/** An environment on disk, as `list()` reports it. */
export interface EnvironmentInfo {
  /** The folder's name under envsDir: `<project folder>-<hash>`. */
  id: string;
  /** The project folder relative to the workspace root ('' for the root). */
  project: string;
  /** Its requirements file, relative to the workspace root. */
  file: string;
  builtAt: number;
  /** When a kernel last started in it (its build time if none has). */
  lastUsedAt: number;
  sizeBytes: number;
  /** Built from the project's requirements as they are now (false: superseded, or the project is gone). */
  current: boolean;
  /** A running process (a kernel) uses it. */
  inUse: boolean;
}

export interface Environment {
  project: Project;
  /** The venv folder. */
  dir: string;
  /** Its interpreter (`<dir>/bin/python`). */
  python: string;
  hash: string;
}

/** Written last into a finished environment: its presence means "built". */
const MARKER = '.workbench-env.json';
/** Touched each time a kernel starts in the environment. */
const USED = '.workbench-used';
const ENV_ID = /^[A-Za-z0-9._ -]{1,200}-[0-9a-f]{16}$/;
const PASSED_ENV = /^(PATH|HOME|LANG|LC_.*|TMPDIR|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|PIP_.*)$/;
/** What pip prints when it cannot reach the index (urllib3/requests wording), as opposed to bad requirements. */
const UNREACHABLE = /Could not fetch URL .*: connection error|NewConnectionError|Failed to establish a new connection|Connection refused|Name or service not known|Temporary failure in name resolution|No route to host|ProxyError|Network is unreachable|ConnectTimeoutError/;

export class EnvironmentManager implements AsyncDisposable {
  private readonly building = new Map<string, Promise<Environment>>();
  private readonly abort = new AbortController();
  private readonly pythonHasPip = new Map<string, Promise<boolean>>();
  private disposed = false;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: EnvironmentsOptions) {}

  /** Prunes (see prune) now and every `everyMs` until disposed. */
  schedulePrune(keepMs: number, everyMs = 24 * 60 * 60_000): void {
    const run = () =>
      void this.prune(keepMs).catch((err: unknown) => this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not prune the Python environments'));
    this.pruneTimer = setInterval(run, everyMs);
    this.pruneTimer.unref();
    run();
  }

  /** The KernelManager hook: a project's environment for Python kernels of notebooks inside one. */
  readonly prepareKernel = async (spec: KernelSpec, at: { path: string | undefined; signal?: AbortSignal }): Promise<KernelPreparation | undefined> => {
    const argv = spec.spec.argv;
    if (!at.path || spec.spec.language?.toLowerCase() !== 'python' || !argv.some((a) => a === 'ipykernel_launcher' || a === 'ipykernel')) return undefined;
    const project = await findProject(this.options.rootDir, at.path);
    if (!project) return undefined;
    const env = await this.ensure(project, argv[0]!, at.signal);
    // When it was last used decides when prune() may take it once it is superseded.
    await writeFile(join(env.dir, USED), new Date(this.now()).toISOString()).catch(() => undefined);
    return { argv: [env.python, ...argv.slice(1)], env: this.kernelEnv(env), writablePaths: [env.dir] };
  };

  /** Variables a kernel in the environment gets: the venv first on PATH, and pip's index settings. */
  kernelEnv(env: Environment): Record<string, string> {
    const out: Record<string, string> = {
      VIRTUAL_ENV: env.dir,
      PATH: [join(env.dir, 'bin'), this.options.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':'),
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      WORKBENCH_PROJECT: env.project.name,
    };
    if (this.options.indexUrl) out.PIP_INDEX_URL = this.options.indexUrl;
    if (this.options.extraIndexUrls?.length) out.PIP_EXTRA_INDEX_URL = this.options.extraIndexUrls.join(' ');
    return out;
  }

  /** The project's environment, built now unless an equal one is cached. `signal` ends the wait, not a build others may share. */
  async ensure(project: Project, basePython: string, signal?: AbortSignal): Promise<Environment> {
    if (this.disposed) throw new AppError('unavailable', 'Cannot build a Python environment: the server is shutting down');
    const { requirements, hash, dir } = await this.locate(project, basePython);
    const env: Environment = { project, dir, python: join(dir, 'bin', 'python'), hash };
    let build = this.building.get(dir);
    if (!build) {
      build = existsSync(join(dir, MARKER)) ? Promise.resolve(env) : this.buildOnce(env, basePython, requirements);
      this.building.set(dir, build);
      // Failed builds are forgotten (the next start tries again); finished ones are found by their marker.
      build.then(
        () => this.building.delete(dir),
        () => this.building.delete(dir),
      );
    }
    return raceSignal(build, signal, `build the Python environment of project "${project.name}"`);
  }

  /** Where the environment of `project`'s requirements as they are now is (built or not). */
  private async locate(project: Project, basePython: string): Promise<{ requirements: string; hash: string; dir: string }> {
    const requirements = await readRequirements(project, (file) => this.pyprojectDependencies(basePython, file));
    // What `-r` / `-c` pull in names the environment too (left out when nothing is: earlier environments keep their names).
    const includes = project.kind === 'requirements' ? await requirementIncludes(project.file, requirements) : [];
    const named = includes.length > 0 ? [project.dir, basePython, requirements, includes] : [project.dir, basePython, requirements];
    const hash = createHash('sha256').update(JSON.stringify(named)).digest('hex').slice(0, 16);
    return { requirements, hash, dir: join(this.options.envsDir, `${basename(project.dir) || 'root'}-${hash}`) };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Every built environment, newest first. */
  async list(): Promise<EnvironmentInfo[]> {
    const { envsDir, rootDir } = this.options;
    let names: string[];
    try {
      names = (await readdir(envsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && ENV_ID.test(d.name)).map((d) => d.name);
    } catch {
      return [];
    }
    const used = await this.usedDirs();
    const out: EnvironmentInfo[] = [];
    for (const id of names) {
      const dir = join(envsDir, id);
      let marker: { project: string; file: string; hash: string; python: string; built: string };
      try {
        marker = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as typeof marker;
      } catch {
        continue; // being built, or an interrupted build: not an environment (prune() clears the latter)
      }
      const builtAt = Date.parse(marker.built);
      const lastUsedAt = await stat(join(dir, USED)).then((s) => s.mtimeMs, () => builtAt);
      let current = false;
      const project = await findProject(rootDir, join(relative(rootDir, marker.project), 'x')).catch(() => undefined);
      if (project && project.dir === marker.project && project.file === marker.file) current = await this.locate(project, marker.python).then((l) => l.hash === marker.hash, () => false);
      out.push({ id, project: relative(rootDir, marker.project), file: relative(rootDir, marker.file), builtAt, lastUsedAt, sizeBytes: await sizeOf(dir), current, inUse: used.has(dir) });
    }
    return out.sort((a, b) => b.builtAt - a.builtAt);
  }

  /** Deletes one environment; refused while a kernel uses it or it is being built. */
  async remove(id: string): Promise<void> {
    if (!ENV_ID.test(id)) throw new AppError('not_found', `Cannot find environment ${JSON.stringify(id.slice(0, 100))}: no such environment`);
    const dir = join(this.options.envsDir, id);
    if (this.building.has(dir)) throw new AppError('conflict', `Cannot delete environment ${id}: it is being built`);
    if (!existsSync(join(dir, MARKER))) throw new AppError('not_found', `Cannot find environment ${id}: no such environment`);
    if ((await this.usedDirs()).has(dir)) throw new AppError('conflict', `Cannot delete environment ${id}: a running kernel uses it (shut it down first)`);
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.log`, { force: true });
    this.options.logger.info({ env: dir }, 'deleted a project Python environment');
  }

  /**
   * Deletes the environments no project needs any more: superseded (its
   * project's requirements changed, or the project is gone), not in use,
   * and not used for `keepMs`; and what interrupted builds left behind.
   * The environment a project's requirements name now is never deleted.
   */
  async prune(keepMs: number): Promise<string[]> {
    const removed: string[] = [];
    const cutoff = this.now() - keepMs;
    for (const e of await this.list()) {
      if (e.current || e.inUse || e.lastUsedAt > cutoff) continue;
      try {
        await this.remove(e.id);
        removed.push(e.id);
      } catch (err) {
        this.options.logger.warn({ env: e.id, err: err instanceof Error ? err.message : String(err) }, 'could not delete an unused Python environment');
      }
    }
    // Folders without their marker that nothing is building (here, or on another server sharing envsDir): interrupted builds.
    for (const d of await readdir(this.options.envsDir, { withFileTypes: true }).catch(() => [])) {
      const dir = join(this.options.envsDir, d.name);
      if (!d.isDirectory() || !ENV_ID.test(d.name) || existsSync(join(dir, MARKER)) || this.building.has(dir)) continue;
      const release = this.options.locks ? await this.options.locks.tryHold(lockName(d.name)) : async () => undefined;
      if (!release) continue;
      try {
        if (existsSync(join(dir, MARKER))) continue; // finished between the look and the lock
        await rm(dir, { recursive: true, force: true });
        removed.push(d.name);
      } finally {
        await release();
      }
    }
    if (removed.length > 0) this.options.logger.info({ removed }, 'pruned unused project Python environments');
    return removed;
  }

  /** The environment folders whose interpreter a running process was started with. */
  private async usedDirs(): Promise<ReadonlySet<string>> {
    if (this.options.inUse) return this.options.inUse();
    const prefix = `${this.options.envsDir}/`;
    const out = new Set<string>();
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^[0-9]+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      for (const arg of cmdline.split('\0')) {
        if (!arg.startsWith(prefix)) continue;
        const id = arg.slice(prefix.length).split('/')[0]!;
        out.add(join(this.options.envsDir, id));
      }
    }
    return out;
  }

  /**
   * Builds under the environment's lock: a server that finds another
   * building it waits, then finds it built (or, if that build failed,
   * builds it itself).
   */
  private async buildOnce(env: Environment, basePython: string, requirements: string): Promise<Environment> {
    const locks = this.options.locks;
    if (!locks) return this.build(env, basePython, requirements);
    let release: () => Promise<void>;
    try {
      release = await locks.hold(lockName(basename(env.dir)), this.abort.signal);
    } catch (err) {
      if (this.abort.signal.aborted) throw new AppError('unavailable', `Cannot build the Python environment of project "${env.project.name}": the server is shutting down`, { cause: err });
      throw err;
    }
    try {
      if (existsSync(join(env.dir, MARKER))) {
        this.options.logger.info({ project: env.project.name, env: env.dir }, 'a project Python environment was built by another server');
        return env;
      }
      return await this.build(env, basePython, requirements);
    } finally {
      await release();
    }
  }

  private async build(env: Environment, basePython: string, requirements: string): Promise<Environment> {
    const { logger } = this.options;
    const what = `Cannot build the Python environment of project "${env.project.name}"`;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.buildTimeoutMs ?? 15 * 60_000)]);
    const runEnv = this.pipEnv();
    const logFile = `${env.dir}.log`;
    const log: string[] = [];
    const step = async (cmd: string, args: string[]): Promise<void> => {
      log.push(`$ ${cmd} ${args.join(' ')}`);
      let res;
      try {
        res = await runProcess(cmd, args, { env: runEnv, cwd: env.project.dir, signal });
      } catch (err) {
        if (signal.aborted) throw new AppError('timeout', `${what}: stopped (${this.disposed ? 'the server is shutting down' : 'it took too long'})`, { cause: err });
        throw new AppError('unavailable', `${what}: ${cmd} could not be run (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
      }
      log.push(res.output);
      if (res.code === 0) return;
      const tail = lastLines(res.output, 12);
      if (UNREACHABLE.test(res.output) || !(await this.indexReachable())) {
        throw new AppError('unavailable', `${what}: the package index ${this.options.indexUrl ?? '(pip default, https://pypi.org/simple)'} cannot be reached; set environments.index_url to a reachable mirror. pip said:\n${tail}`);
      }
      throw new AppError('kernel_launch_failed', `${what}: its requirements (${basename(env.project.file)}) cannot be installed. pip said:\n${tail}`);
    };
    logger.info({ project: env.project.name, env: env.dir }, 'building a project Python environment');
    const started = Date.now();
    try {
      await mkdir(this.options.envsDir, { recursive: true });
      // A folder without its marker is an interrupted build.
      await rm(env.dir, { recursive: true, force: true });
      const withoutPip = await this.hasPip(basePython, runEnv);
      await step(basePython, ['-m', 'venv', '--system-site-packages', ...(withoutPip ? ['--without-pip'] : []), env.dir]);
      if (!isEmptyRequirements(requirements)) {
        const reqFile = env.project.kind === 'requirements' ? env.project.file : join(env.dir, 'requirements.txt');
        if (env.project.kind !== 'requirements') await writeFile(reqFile, requirements);
        await step(env.python, ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--progress-bar', 'off', ...this.indexArgs(), '-r', reqFile]);
      }
      await writeFile(join(env.dir, MARKER), JSON.stringify({ project: env.project.dir, file: env.project.file, hash: env.hash, python: basePython, built: new Date().toISOString() }, null, 1));
      await writeFile(logFile, log.join('\n')).catch(() => undefined);
      logger.info({ project: env.project.name, env: env.dir, ms: Date.now() - started }, 'built a project Python environment');
      return env;
    } catch (err) {
      await rm(env.dir, { recursive: true, force: true }).catch(() => undefined);
      await writeFile(logFile, log.join('\n')).catch(() => undefined);
      logger.warn({ project: env.project.name, log: logFile, err: err instanceof Error ? err.message : String(err) }, 'could not build a project Python environment');
      if (err instanceof AppError) throw err;
      throw new AppError('internal', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** Whether the index answers HTTP at all (pip itself says so only in its verbose log when it does not retry). */
  private async indexReachable(): Promise<boolean> {
    const url = this.options.indexUrl ?? 'https://pypi.org/simple/';
    if (!/^https?:/i.test(url)) return true;
    try {
      const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]) });
      await res.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  private indexArgs(): string[] {
    const a: string[] = [];
    if (this.options.indexUrl) a.push('--index-url', this.options.indexUrl);
    for (const u of this.options.extraIndexUrls ?? []) a.push('--extra-index-url', u);
    return a;
  }

  private pipEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.env)) if (v !== undefined && PASSED_ENV.test(k)) env[k] = v;
    env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
    env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
    return env;
  }

  /** A base interpreter with pip of its own: venvs use it through the system site-packages. */
  private hasPip(python: string, env: Record<string, string>): Promise<boolean> {
    let p = this.pythonHasPip.get(python);
    if (!p) {
      p = runProcess(python, ['-c', 'import pip'], { env, signal: this.abort.signal }).then((r) => r.code === 0, () => false);
      this.pythonHasPip.set(python, p);
    }
    return p;
  }

  private async pyprojectDependencies(python: string, file: string): Promise<string[]> {
    const code = 'import json, sys, tomllib\nwith open(sys.argv[1], "rb") as f: d = tomllib.load(f)\nprint(json.dumps(d.get("project", {}).get("dependencies", [])))';
    const res = await runProcess(python, ['-c', code, file], { env: this.pipEnv(), signal: this.abort.signal });
    if (res.code !== 0) throw new AppError('kernel_launch_failed', `Cannot read ${file}: ${lastLines(res.output, 3)}`);
    const deps: unknown = JSON.parse(res.output);
    if (!Array.isArray(deps) || !deps.every((d) => typeof d === 'string')) throw new AppError('kernel_launch_failed', `Cannot read ${file}: [project] dependencies must be a list of strings`);
    return deps;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.pruneTimer);
    this.abort.abort();
    await Promise.allSettled([...this.building.values()]);
  }
}

/** The lock one environment's build holds (MetadataStore: across replicas). */
function lockName(id: string): string {
  return `environment:${id}`;
}

/** Bytes under `dir` (files as stored; links not followed). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) total += await stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0);
  }
  return total;
}

/** Used by tests and `workbench` tooling: the log of an environment's last build. */
export function buildLog(env: Environment): Promise<string> {
  return readFile(`${env.dir}.log`, 'utf8');
}
