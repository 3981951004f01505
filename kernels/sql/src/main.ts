/**
 * Entry point of the `sql` kernel process: `sql-kernel -f <connection_file>`.
 * Configuration comes from the environment the kernelspec sets:
 *   WORKBENCH_SQL_WAREHOUSE    path of the shared DuckDB warehouse (default: in-memory)
 *   WORKBENCH_SQL_CONNECTIONS  connections file (JSON, see connections.ts)
 *   WORKBENCH_SQL_SECRETS      secrets file for connection passwords (mode 600)
 *   WORKBENCH_SQL_MAX_ROWS     rows shown per result (default 1000)
 *   WORKBENCH_SQL_PARAMETERS   JSON object of notebook parameters
 *   WORKBENCH_API_URL          the Workbench server: connections it holds are queried through it,
 *                              signed with this kernel's key (never a credential here)
 *   MEM_LIMIT, CPU_LIMIT       the kernel's enforced limits (bytes, cores; set by
 *                              Workbench's launchers): DuckDB gets 75% of the memory
 *                              (at most the limit less 192 MiB for the process itself),
 *                              so it spills rather than being killed, and as many
 *                              threads as whole cores
 * DuckDB spills beside the connection file (the kernel's own runtime folder: on disk,
 * private, removed with the kernel in Workbench's sandbox), never into the workspace.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { loadConnections } from './connections';
import { gatewayAccessFrom } from './engine-gateway';
import { runKernelMain } from './kernel-main';
import { SqlKernel } from './sql-kernel';
import { installKernelSpec } from './install';

/** DuckDB settings that keep the engine inside the kernel's limits, spilling beside the connection file. */
export function duckDbSettings(env: NodeJS.ProcessEnv, connectionFile?: string): Record<string, string> {
  const config: Record<string, string> = {};
  // DuckDB's default for an in-memory database is `.tmp` in the working folder: the notebook's, in the workspace (and its git).
  if (connectionFile) config.temp_directory = join(dirname(resolve(connectionFile)), `${basename(connectionFile, '.json')}.duckdb-tmp`);
  const mem = Number(env.MEM_LIMIT);
  // 75% of the limit, and at least 192 MiB left for the Node process itself (~100 MiB) and DuckDB's allocations outside its buffer pool.
  if (Number.isFinite(mem) && mem > 0) config.memory_limit = `${Math.max(64, Math.floor(Math.min(mem * 0.75, mem - 192 * 2 ** 20) / 2 ** 20))}MiB`;
  const cpus = Number(env.CPU_LIMIT);
  if (Number.isFinite(cpus) && cpus > 0) config.threads = String(Math.max(1, Math.ceil(cpus)));
  return config;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (argv[0] === 'install') {
    const i = argv.indexOf('--dir');
    const dir = await installKernelSpec(i > 0 ? argv[i + 1] : undefined);
    process.stdout.write(`Installed the sql kernelspec in ${dir}\n`);
    return;
  }
  const maxRows = Number(env.WORKBENCH_SQL_MAX_ROWS ?? 1000);
  let parameters: Record<string, unknown> = {};
  if (env.WORKBENCH_SQL_PARAMETERS) parameters = JSON.parse(env.WORKBENCH_SQL_PARAMETERS) as Record<string, unknown>;
  const connections = loadConnections({ file: env.WORKBENCH_SQL_CONNECTIONS || undefined, secretsFile: env.WORKBENCH_SQL_SECRETS || undefined, env });
  await runKernelMain(argv, (connectionFile) =>
    SqlKernel.create({
      warehousePath: env.WORKBENCH_SQL_WAREHOUSE || undefined,
      connections,
      maxRows: Number.isInteger(maxRows) && maxRows > 0 ? maxRows : 1000,
      parameters,
      version: '0.1.0',
      duckdb: duckDbSettings(env, connectionFile),
      gateway: gatewayAccessFrom(env, connectionFile),
    }),
  );
}
