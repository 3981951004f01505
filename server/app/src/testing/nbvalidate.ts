import { execFileSync } from 'node:child_process';

/** Validate a notebook file with Debian's python3-nbformat, the reference validator. Returns "" when valid. */
export function nbformatValidate(file: string): string {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT); nbformat.validate(nb)', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n').slice(-1)[0] ?? 'invalid';
  }
}

export function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
}
