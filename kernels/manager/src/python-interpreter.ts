/**
 * jupyter_client substitutes `sys.executable` for a kernelspec argv that
 * starts with `python`/`python3`. We are not Python, so we find the
 * interpreter that actually holds ipykernel (`python3` on PATH may be
 * another one, e.g. a pyenv shim without it) and use that.
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { KernelSpec } from './kernelspecs';

const PYTHON_NAME = /^python(3(\.\d+)?)?$/;

export function checkModule(python: string, module: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', `import ${module}`], { timeout: 30_000 }, (err) => resolve(!err));
  });
}

export class PythonResolver {
  private found: Promise<string | undefined> | undefined;

  constructor(private readonly candidates: readonly string[]) {}

  /** The first candidate interpreter that can import ipykernel (cached). */
  interpreter(): Promise<string | undefined> {
    this.found ??= (async () => {
      for (const c of this.candidates) if (await checkModule(c, 'ipykernel')) return c;
      return undefined;
    })();
    return this.found;
  }

  async transform(spec: KernelSpec): Promise<KernelSpec> {
    const argv0 = spec.spec.argv[0]!;
    if (!PYTHON_NAME.test(argv0) || basename(argv0) !== argv0) return spec;
    const py = await this.interpreter();
    if (!py) return spec;
    return { ...spec, spec: { ...spec.spec, argv: [py, ...spec.spec.argv.slice(1)] } };
  }
}
