/**
 * STYLE.md's dependency rule, checked: nothing under kernels/ reaches into
 * server/ (not by import, package dependency or TypeScript project
 * reference), so a kernel such as the SQL kernel builds and runs without
 * the server. Both trees share core/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'lib') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js|json)$/.test(name) && !name.endsWith('.tsbuildinfo')) out.push(p);
  }
  return out;
}

/** The @workbench/* package names that live under server/. */
function serverPackages(): string[] {
  return readdirSync(join(ROOT, 'server')).flatMap((d) => {
    try {
      return [JSON.parse(readFileSync(join(ROOT, 'server', d, 'package.json'), 'utf8')).name as string];
    } catch {
      return [];
    }
  });
}

describe('dependency rules', () => {
  it('no kernels/* file imports, depends on or references server/*', () => {
    const forbidden = serverPackages();
    expect(forbidden).toContain('@workbench/http');
    expect(forbidden).not.toContain('@workbench/core');
    const offences: string[] = [];
    for (const f of files(join(ROOT, 'kernels'))) {
      const text = readFileSync(f, 'utf8');
      const rel = relative(ROOT, f);
      for (const name of forbidden) if (new RegExp(`['"]${name.replace('/', '\\/')}(/[^'"]*)?['"]`).test(text)) offences.push(`${rel}: ${name}`);
      if (/['"](\.\.\/)+server\//.test(text)) offences.push(`${rel}: a relative path into server/`);
    }
    expect(offences).toEqual([]);
  });

  it('core/ depends on nothing', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'core', 'package.json'), 'utf8')) as { dependencies?: object };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });
});
