/**
 * Kernels Workbench provides itself, registered with absolute paths so
 * they work whatever PATH the server has: TypeScript and JavaScript via
 * tslab (from npm).
 */
import { dirname, join } from 'node:path';
import type { KernelSpec } from '@workbench/manager';

export interface SqlKernelSettings {
  /** Absolute path of the shared DuckDB warehouse file. */
  warehouse: string;
  connectionsFile?: string;
  secretsFile?: string;
  maxRows: number;
}

/** The `sql` kernel (kernels/sql), run with this Node binary. */
export function sqlKernelSpec(settings: SqlKernelSettings): KernelSpec {
  const dir = dirname(require.resolve('@workbench/sql-kernel/package.json'));
  const env: Record<string, string> = { WORKBENCH_SQL_WAREHOUSE: settings.warehouse, WORKBENCH_SQL_MAX_ROWS: String(settings.maxRows) };
  if (settings.connectionsFile) env.WORKBENCH_SQL_CONNECTIONS = settings.connectionsFile;
  if (settings.secretsFile) env.WORKBENCH_SQL_SECRETS = settings.secretsFile;
  // In the sandbox the kernel sees its own code read-only, and the connection files it is
  // configured with; it keeps the network (PostgreSQL is reached over TCP).
  const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
  const readOnly = [
    nodeModulesDir(),
    ...workspacePackages('@workbench/sql-kernel').map(packageDir),
    ...[settings.connectionsFile, settings.secretsFile].filter((f): f is string => Boolean(f)),
  ];
  return {
    name: 'sql',
    spec: {
      argv: [process.execPath, '--expose-gc', join(dir, 'bin', 'sql-kernel.js'), '-f', '{connection_file}'],
      display_name: 'SQL (DuckDB, PostgreSQL)',
      language: 'sql',
      interrupt_mode: 'message',
      env,
      metadata: { workbench: { sandbox: { network: true, read_only_paths: readOnly } } },
    },
    resourceDir: join(dir, 'kernelspec'),
    resources: { 'logo-svg.svg': 'logo-svg.svg' },
  };
}

export function builtinKernelSpecs(sql?: SqlKernelSettings): KernelSpec[] {
  const specs: KernelSpec[] = sql ? [sqlKernelSpec(sql)] : [];
  let tslabBin: string;
  try {
    tslabBin = join(dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
  } catch {
    return specs;
  }
  const specsDir = join(__dirname, '..', 'kernelspecs');
  // Notebooks can import the packages Workbench ships (e.g. @duckdb/node-api for the warehouse).
  const nodePath = nodeModulesDir();
  const make = (name: string, display: string, language: string, extra: string[]): KernelSpec => ({
    name,
    spec: {
      argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}', ...extra],
      display_name: display,
      language,
      interrupt_mode: 'signal',
      env: { NODE_PATH: nodePath },
      // tslab builds ipc addresses as "ip:port" where Jupyter uses "ip-port", so in the
      // sandbox it keeps the network and speaks TCP on loopback.
      metadata: { workbench: { sandbox: { network: true, read_only_paths: [nodePath] } } },
    },
    resourceDir: join(specsDir, name),
    resources: { 'logo-svg.svg': 'logo-svg.svg' },
  });
  return [...specs, make('tslab', 'TypeScript', 'typescript', []), make('jslab', 'JavaScript', 'javascript', ['--js'])];
}

/** The project's node_modules (where tslab, TypeScript and @duckdb/node-api live). */
function nodeModulesDir(): string {
  return join(dirname(require.resolve('@duckdb/node-api/package.json')), '..', '..');
}

/** A workspace package and every @workbench/* package it depends on, transitively. */
function workspacePackages(root: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = require(`${name}/package.json`) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith('@workbench/')) visit(dep);
  };
  visit(root);
  return [...seen];
}
