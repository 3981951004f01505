#!/usr/bin/env node
/**
 * Installs what Workbench needs beyond npm packages, then builds.
 * Run by `npm install` (postinstall) and before `npm test` (pretest); it is
 * quick when everything is already there.
 *
 *  - Debian's python3-ipykernel: the Python kernel (its kernelspec lands in
 *    /usr/share/jupyter/kernels/python3).
 *  - Debian's jupyter-server: only for the compatibility test that runs a
 *    stock `jupyter server --gateway-url=<workbench>` and for bench/.
 *  - Debian's bubblewrap: the kernel sandbox (namespaces; limits come from
 *    cgroups, which need no package).
 *  - Debian's tesseract-ocr and poppler-utils: reading receipts and bills
 *    (server/documents), and qpdf for its tests.
 *  - Debian's chromium (with --test, i.e. before `npm test`): the browser of
 *    the /lab end-to-end tests.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function has(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

// `--test` (the pretest run) also wants what only the tests use.
const forTests = process.argv.includes('--test');

const wanted = [
  { pkg: 'python3-ipykernel', present: () => has('/usr/bin/python3', ['-c', 'import ipykernel']) },
  { pkg: 'jupyter-server', present: () => existsSync('/usr/bin/jupyter-server') },
  { pkg: 'bubblewrap', present: () => existsSync('/usr/bin/bwrap') },
  // Receipts and bills: the built-in OCR engine, and PDF checks and rendering (pdfinfo, pdftotext, pdftoppm).
  { pkg: 'tesseract-ocr', present: () => existsSync('/usr/bin/tesseract') },
  { pkg: 'poppler-utils', present: () => existsSync('/usr/bin/pdftoppm') },
  // Per-project Python environments (server/environments): `python3 -m venv`.
  { pkg: 'python3-venv', present: () => has('/usr/bin/python3', ['-c', 'import ensurepip, venv']) },
  // The browser the /lab end-to-end tests drive through playwright-core (no browser download).
  ...(forTests
    ? [
        { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
        // Certificates for the connections tests' own TLS PostgreSQL; its server binaries come with PostgreSQL.
        { pkg: 'openssl', present: () => existsSync('/usr/bin/openssl') },
        { pkg: 'postgresql', present: () => existsSync('/usr/lib/postgresql') },
        // The SFTP connection tests' own sshd (server/connections/src/testing/sshd.ts); ssh-keygen comes with openssh-client.
        { pkg: 'openssh-server', present: () => existsSync('/usr/sbin/sshd') },
        // The intake tests make a password-protected PDF with it.
        { pkg: 'qpdf', present: () => existsSync('/usr/bin/qpdf') },
      ]
    : []),
];

const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = existsSync('/usr/bin/apt-get');
  if (apt && (isRoot || has('sudo', ['-n', 'true']))) {
    const sudo = isRoot ? [] : ['sudo', '-n'];
    const run = (args) => execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    console.log(`[setup] installing Debian packages: ${missing.join(' ')}`);
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } else {
    console.warn(`[setup] missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install ${missing.join(' ')}`);
  }
}

console.log('[setup] building TypeScript');
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, stdio: 'inherit' });

// The JupyterLab UI served at /lab (after tsc: it bundles the compiled
// extensions/*). A no-op when nothing changed; prints one line either way.
execFileSync(process.execPath, [join(root, 'lab-ui', 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
