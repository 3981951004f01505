/**
 * Kernels Workbench provides itself, registered with absolute paths so
 * they work whatever PATH the server has: TypeScript and JavaScript via
 * tslab (from npm).
 */
import { dirname, join } from 'node:path';
import type { KernelSpec } from '@workbench/manager';

export function builtinKernelSpecs(): KernelSpec[] {
  let tslabBin: string;
  try {
    tslabBin = join(dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
  } catch {
    return [];
  }
  const specsDir = join(__dirname, '..', 'kernelspecs');
  const make = (name: string, display: string, language: string, extra: string[]): KernelSpec => ({
    name,
    spec: {
      argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}', ...extra],
      display_name: display,
      language,
      interrupt_mode: 'signal',
      metadata: {},
    },
    resourceDir: join(specsDir, name),
    resources: { 'logo-svg.svg': 'logo-svg.svg' },
  });
  return [make('tslab', 'TypeScript', 'typescript', []), make('jslab', 'JavaScript', 'javascript', ['--js'])];
}
