/**
 * A project: the nearest folder, from a notebook's folder up to the
 * workspace root, that holds a `requirements.txt` or a `pyproject.toml`
 * (its `[project] dependencies`). A requirements.txt wins when a folder has
 * both. Notebooks outside any project run in the kernelspec's own Python.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface Project {
  /** Absolute folder of the project. */
  dir: string;
  /** The folder relative to the workspace root ('' for the root itself), for messages. */
  name: string;
  /** The file that names its requirements. */
  file: string;
  kind: 'requirements' | 'pyproject';
}

const FILES: readonly [string, Project['kind']][] = [
  ['requirements.txt', 'requirements'],
  ['pyproject.toml', 'pyproject'],
];

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The project a notebook at `path` (relative to `rootDir`, as in the contents API) belongs to. */
export async function findProject(rootDir: string, path: string): Promise<Project | undefined> {
  const root = resolve(rootDir);
  let dir = resolve(root, dirname(path));
  if (dir !== root && !dir.startsWith(root + sep)) return undefined;
  for (;;) {
    for (const [name, kind] of FILES) {
      const file = join(dir, name);
      if (await isFile(file)) return { dir, name: relative(root, dir), file, kind };
    }
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}

/**
 * The project's requirements as requirements.txt text. For pyproject.toml,
 * the `[project] dependencies` array read by the Python that builds the
 * environment (tomllib, Python 3.11+), so the file is parsed by a real TOML parser.
 */
export async function readRequirements(project: Project, readPyproject: (file: string) => Promise<string[]>): Promise<string> {
  if (project.kind === 'requirements') return readFile(project.file, 'utf8');
  const deps = await readPyproject(project.file);
  return deps.map((d) => `${d}\n`).join('');
}

/** True when requirements text names nothing to install (only blanks and comments). */
export function isEmptyRequirements(text: string): boolean {
  return text.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'));
}

/** `-r file` / `--requirement file` / `-c file` / `--constraint file` (also `-rfile`, `--requirement=file`). */
const INCLUDE = /^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?<=^\s*-[rc]))(\S+)/;
const MAX_INCLUDES = 50;

/**
 * The files a requirements.txt pulls in with `-r` / `-c` (pip reads them at
 * build time), followed to any depth, each with its text: part of what
 * names an environment, so editing an included file builds a new one as
 * editing the file itself does. Relative paths are from the including
 * file's folder, as pip reads them; a missing file is listed as missing
 * (pip then says so at build time); URLs are left to pip.
 */
export async function requirementIncludes(file: string, text: string): Promise<Array<{ path: string; text: string | null }>> {
  const out: Array<{ path: string; text: string | null }> = [];
  const seen = new Set<string>([resolve(file)]);
  const queue: Array<{ from: string; text: string }> = [{ from: file, text }];
  while (queue.length > 0 && out.length < MAX_INCLUDES) {
    const { from, text: body } = queue.shift()!;
    for (const line of body.split('\n')) {
      const m = INCLUDE.exec(line.replace(/\s+#.*$/, ''));
      if (!m || /^[a-z][a-z0-9+.-]*:\/\//i.test(m[1]!)) continue;
      const path = isAbsolute(m[1]!) ? m[1]! : resolve(dirname(from), m[1]!);
      if (seen.has(path)) continue;
      seen.add(path);
      const included = await readFile(path, 'utf8').catch(() => null);
      out.push({ path, text: included });
      if (included !== null) queue.push({ from: path, text: included });
    }
  }
  return out;
}
