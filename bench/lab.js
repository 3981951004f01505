#!/usr/bin/env node
'use strict';
// JupyterLab load benchmark: time to interactive of /lab in Debian's Chromium
// against a real `workbench` process, cold (new browser profile, empty cache)
// and warm (same profile, reload), plus the bundle size.
//
//   node bench/lab.js [--rounds=N] [--no-write]
//
// "Interactive" = navigation start until window.jupyterapp is restored and the
// main dock area shows a widget (launcher), read from the page's own clock
// (performance.now()). Needs `npm run build` (lab-ui/lib and lab-ui/build).
// Writes a section between <!-- bench:lab:start --> and <!-- bench:lab:end --> in BENCHMARKS.md.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { machineInfo, writeMarkedSection } = require('./lib/report');

const REPO = path.join(__dirname, '..');
const argv = process.argv.slice(2);
const known = /^--(rounds=\d+|no-write|help)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || argv.includes('--help')) {
  console.error(`usage: node bench/lab.js [--rounds=N] [--no-write]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}
const rounds = Number((argv.find((a) => a.startsWith('--rounds=')) || '--rounds=10').slice(9));
const write = !argv.includes('--no-write');

const { startWorkbenchProcess, launchChromium, openLab, VIEWPORT } = require(path.join(REPO, 'lab-ui', 'lib', 'testing', 'lab-session.js'));
const { loadLabAssets } = require(path.join(REPO, 'lab-ui', 'lib', 'index.js'));

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function bundleFigures(assets) {
  const files = walk(assets.staticDir);
  const size = (fs2) => fs2.reduce((n, f) => n + fs.statSync(f).size, 0);
  const gz = (fs2) => fs2.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f), { level: 6 }).length, 0);
  const js = files.filter((f) => f.endsWith('.js'));
  const initial = [...assets.entry, ...assets.css].map((f) => path.join(assets.staticDir, f));
  return { files: files.length, totalBytes: size(files), jsBytes: size(js), initialBytes: size(initial), initialGzipBytes: gz(initial) };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const max = (xs) => Math.max(...xs);
const mb = (n) => (n / 2 ** 20).toFixed(2);

async function main() {
  const assets = loadLabAssets();
  if (!assets) throw new Error('lab-ui is not built: run `npm run build` first');
  const bundle = bundleFigures(assets);
  const wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } });
  const browser = await launchChromium();
  const cold = [];
  const warm = [];
  const coldFirst = [];
  const warmFirst = [];
  try {
    // One throwaway load so the server's first-request costs (settings files, git) are not in round 1.
    { const ctx = await browser.newContext({ viewport: VIEWPORT }); await openLab(ctx, wb.url); await ctx.close(); }
    for (let i = 0; i < rounds; i++) {
      const ctx = await browser.newContext({ viewport: VIEWPORT });
      const first = await openLab(ctx, wb.url);
      cold.push(first.ttiMs);
      coldFirst.push(first.firstWidgetMs);
      const again = await openLab(ctx, wb.url, first.page);
      warm.push(again.ttiMs);
      warmFirst.push(again.firstWidgetMs);
      await ctx.close();
      process.stderr.write(`round ${i + 1}/${rounds}: cold ${first.firstWidgetMs.toFixed(0)}/${first.ttiMs.toFixed(0)} ms, warm ${again.firstWidgetMs.toFixed(0)}/${again.ttiMs.toFixed(0)} ms (launcher shown/restored)\n`);
    }
  } finally {
    await browser.close();
    await wb[Symbol.asyncDispose]();
  }
  const meta = machineInfo(REPO);
  const chromiumVersion = require('child_process').execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
  const L = [];
  L.push('<!-- bench:lab:start -->');
  L.push('## JupyterLab at /lab: time to interactive and bundle size');
  L.push('');
  L.push(`Run ${meta.date} on ${meta.nproc} cores (${meta.cpu}), ${meta.os}, Node ${meta.node}, ${chromiumVersion} headless, commit ${meta.commit}. ` +
    `\`node bench/lab.js --rounds=${rounds}\`. Viewport ${VIEWPORT.width}x${VIEWPORT.height}, server and browser on the same machine (localhost).`);
  L.push('');
  L.push('Time to interactive = navigation start until `jupyterapp.restored` resolved (JupyterLab\'s own ready signal: all plugins active, layout restored, ' +
    'menus and file browser usable), on the page\'s own clock. The launcher of an empty layout appears later: JupyterLab opens it on its ' +
    'debounced (500 ms) layout-modified signal (JupyterLab's own code path, nothing this server adds). ' +
    'Cold: a new browser profile (empty cache, no cookie: the token in the URL logs in). Warm: reload in the same profile (cached bundle, cookie).');
  L.push('');
  L.push('| load | launcher on screen, median ms | restored (interactive), median ms | restored, max ms | target |');
  L.push('|---|---|---|---|---|');
  L.push(`| cold | ${median(coldFirst).toFixed(0)} | ${median(cold).toFixed(0)} | ${max(cold).toFixed(0)} | — |`);
  L.push(`| warm | ${median(warmFirst).toFixed(0)} | ${median(warm).toFixed(0)} | ${max(warm).toFixed(0)} | < 2000 |`);
  L.push('');
  L.push(`Bundle (JupyterLab ${assets.version}, ${assets.extensions.length} extension and ${assets.mimeExtensions.length} mime-extension packages): ` +
    `${bundle.files} files, ${mb(bundle.totalBytes)} MiB in all (${mb(bundle.jsBytes)} MiB JavaScript); ` +
    `loaded before the app starts: ${mb(bundle.initialBytes)} MiB (${mb(bundle.initialGzipBytes)} MiB gzipped); the rest are chunks loaded on demand.`);
  L.push('<!-- bench:lab:end -->');
  const section = L.join('\n');
  console.log(section);
  if (write) writeMarkedSection(path.join(REPO, 'BENCHMARKS.md'), '<!-- bench:lab:start -->', '<!-- bench:lab:end -->', section);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
