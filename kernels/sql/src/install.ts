/**
 * `sql-kernel install [--dir DIR]`: write a kernelspec for stock Jupyter
 * (jupyter_client, jupyter console, jupyter_server) into DIR/sql, by default
 * the user's Jupyter data dir. The argv names this Node binary and this
 * package's launcher by absolute path.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function kernelJson(env: Record<string, string> = {}): Record<string, unknown> {
  return {
    argv: [process.execPath, '--expose-gc', join(__dirname, '..', 'bin', 'sql-kernel.js'), '-f', '{connection_file}'],
    display_name: 'SQL (DuckDB, PostgreSQL)',
    language: 'sql',
    interrupt_mode: 'message',
    env,
    metadata: {},
  };
}

export async function installKernelSpec(kernelsDir?: string, env: Record<string, string> = {}): Promise<string> {
  const base = kernelsDir ?? join(process.env.JUPYTER_DATA_DIR ?? join(homedir(), '.local', 'share', 'jupyter'), 'kernels');
  const dir = join(base, 'sql');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'kernel.json'), JSON.stringify(kernelJson(env), null, 1) + '\n');
  await copyFile(join(__dirname, '..', 'kernelspec', 'logo-svg.svg'), join(dir, 'logo-svg.svg'));
  return dir;
}
