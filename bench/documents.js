#!/usr/bin/env node
'use strict';
// Document reading: field accuracy and time per document of the embedded OCR engine
// (TesseractEngine: tesseract + poppler) over the generated corpus of receipts and vendor bills.
//
//   node bench/documents.js [--quick] [--no-write|--write] [--count=60] [--seed=1] [--corpus=DIR]
//
// The corpus (server/documents/src/testing/corpus: 5 layouts, 4 currencies, clean PNG/JPEG
// screenshots, PDFs with a text layer, and degraded scans as JPEG or image-only PDF, each with
// its ground truth) is rendered by Debian's Chromium once and cached in the temp dir (or
// --corpus=DIR). Then every document is read one at a time, end to end (file bytes in,
// Extraction out: rasterising, OCR, extraction), and scored field by field against its truth
// (scoreExtraction: the vendor case/space-insensitive, tax ids by letters and digits, other
// fields by exact canonical value, the line items as two fields: their count and their amounts).
// Accuracy counts the fields the document has; fields it does not have but the engine filled
// in are reported apart ("spurious").
//
// Targets (PRD): >= 90% of fields right on standard layouts (clean images and PDFs), < 5 s per
// document on this 2-CPU machine. Needs `npm run build` (server/documents/lib) first.
//
// Writes a section between <!-- bench:documents:start --> and <!-- bench:documents:end -->
// in BENCHMARKS.md (not with --quick unless --write).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const REPO = path.resolve(__dirname, '..');
const { now, percentile } = require('./lib/util');
const { machineInfo, writeMarkedSection } = require('./lib/report');
const { waitMachineQuiet, LoadMonitor } = require('./lib/load');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => { const a = argv.find((x) => x.startsWith(`--${name}=`)); return a && a.slice(name.length + 3); };
const known = /^--(quick|write|no-write|help|count=\d+|seed=\d+|corpus=.+)$/;
const bad = argv.filter((a) => !known.test(a));
if (bad.length || flag('help')) {
  console.error(`usage: node bench/documents.js [--quick] [--no-write|--write] [--count=N] [--seed=N] [--corpus=DIR]${bad.length ? `\nunknown: ${bad.join(' ')}` : ''}`);
  process.exit(bad.length ? 2 : 0);
}
const quick = flag('quick');
const COUNT = Number(value('count') || (quick ? 15 : 60));
const SEED = Number(value('seed') || 1);
const CORPUS = value('corpus') || path.join(os.tmpdir(), 'workbench-documents-corpus', `bench-seed${SEED}-n${COUNT}`);
const write = flag('write') || (!quick && !flag('no-write'));
const START = '<!-- bench:documents:start -->';
const END = '<!-- bench:documents:end -->';
const TARGET_ACCURACY = 0.9;
const TARGET_SECONDS = 5;

const lib = path.join(REPO, 'server', 'documents', 'lib');
if (!fs.existsSync(path.join(lib, 'ocr', 'index.js')) || !fs.existsSync(path.join(lib, 'testing', 'index.js'))) {
  console.error('server/documents is not built (server/documents/lib/ocr missing): run `npm run build` first');
  process.exit(2);
}
const { TesseractEngine } = require(path.join(lib, 'ocr'));
const { generateCorpus, scoreExtraction, SCORED_FIELDS, LAYOUTS } = require(path.join(lib, 'testing'));

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const WATCHDOG_MIN = quick ? 10 : 30;
setTimeout(() => { console.error(`watchdog: still running after ${WATCHDOG_MIN} min, giving up`); process.exit(3); }, WATCHDOG_MIN * 60000).unref();

/** CPU seconds of this process and its waited-for children (tesseract, poppler): per document, independent of other load. */
function cpuSeconds() {
  const st = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

const KIND_LABEL = { image: 'image (PNG/JPEG screenshot)', 'text-pdf': 'PDF with a text layer', 'scanned-pdf': 'scanned PDF (image only)', 'scanned-image': 'scanned image (JPEG)' };
/** First line a tool prints about its version (tesseract and poppler print it on stderr). */
const tool = (cmd, args) => { const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15000 }); return `${r.stdout || ''}${r.stderr || ''}`.split('\n')[0].trim() || '?'; };

async function main() {
  const t0 = now();
  const R = { machine: machineInfo(REPO) };
  R.tesseract = tool('tesseract', ['--version']);
  R.poppler = tool('pdftoppm', ['-v']);
  log(`corpus: ${COUNT} documents, seed ${SEED}, in ${CORPUS}`);
  const g0 = now();
  const docs = await generateCorpus({ dir: CORPUS, count: COUNT, seed: SEED });
  R.corpusS = (now() - g0) / 1000;
  log(`corpus ready in ${R.corpusS.toFixed(1)} s`);

  const engine = new TesseractEngine();
  R.engine = await engine.version();
  // warm-up (page cache, tesseract's traineddata): not timed
  await engine.extract({ bytes: fs.readFileSync(docs[0].file), mediaType: docs[0].mediaType });
  const q = await waitMachineQuiet({ timeoutMs: quick ? 10000 : 30000 });
  R.quietBefore = q;
  const mon = new LoadMonitor();
  R.results = [];
  for (const doc of docs) {
    const bytes = fs.readFileSync(doc.file);
    const s = now();
    const c0 = cpuSeconds();
    let ex;
    let error;
    try {
      ex = await engine.extract({ bytes, mediaType: doc.mediaType });
    } catch (e) {
      error = e.message;
    }
    const ms = now() - s;
    const cpuS = cpuSeconds() - c0;
    const score = ex ? scoreExtraction(ex, doc.truth) : undefined;
    const conf = ex ? Object.fromEntries(Object.entries(ex.fields).map(([k, f]) => [k, f.confidence])) : {};
    R.results.push({ id: doc.id, layout: doc.layout, kind: doc.kind, difficulty: doc.difficulty, bytes: bytes.length, ms, cpuS, error, score, conf, lineConf: ex ? ex.lines.map((l) => l.confidence) : [] });
    log(`${doc.id}: ${(ms / 1000).toFixed(2)} s, ${score ? `${score.correct}/${score.counted}` : `ERROR ${error}`}`);
  }
  R.load = mon.stop();
  R.totalS = (now() - t0) / 1000;
  const section = render(R);
  console.log(section);
  if (write) { writeMarkedSection(path.join(REPO, 'BENCHMARKS.md'), START, END, section); log('wrote BENCHMARKS.md'); } else log('not writing BENCHMARKS.md (--quick without --write, or --no-write)');
  const std = acc(R.results.filter((r) => r.difficulty === 'standard'));
  const slow = Math.max(...R.results.map((r) => r.ms)) / 1000;
  process.exitCode = R.results.some((r) => r.error) || std.share < TARGET_ACCURACY || slow >= TARGET_SECONDS ? 1 : 0;
}

function acc(results, field) {
  let correct = 0;
  let counted = 0;
  let spurious = 0;
  for (const r of results) {
    if (!r.score) { counted += field ? 1 : 11; continue; }
    for (const f of r.score.fields) {
      if (field && f.field !== field) continue;
      if (f.counted) { counted++; if (f.correct) correct++; } else if (!f.correct) spurious++;
    }
  }
  return { correct, counted, spurious, share: counted ? correct / counted : NaN };
}

const pct = (a) => (Number.isNaN(a.share) ? '—' : `${(100 * a.share).toFixed(1)}% (${a.correct}/${a.counted})`);
const sec = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '—');

function render(R) {
  const m = R.machine;
  const res = R.results;
  const std = res.filter((r) => r.difficulty === 'standard');
  const hard = res.filter((r) => r.difficulty === 'hard');
  const L = [START, '## Documents: OCR field accuracy and time per document', ''];
  const cmd = `node bench/documents.js${argv.length ? ` ${argv.join(' ')}` : ''}`;
  L.push(`Generated by \`${cmd}\` on ${m.date}${quick ? ' (**--quick smoke run, small N**)' : ''} in ${R.totalS.toFixed(0)} s (corpus ${R.corpusS < 5 ? 'from the cache' : `rendered in ${R.corpusS.toFixed(0)} s`}). ` +
    `Machine: ${m.nproc} CPUs, ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}. Node ${m.node}; ${R.tesseract} (eng, \`OMP_THREAD_LIMIT=1\`), poppler ${R.poppler.replace(/^pdftoppm version /, '')}. Workbench commit ${m.commit}.`);
  L.push('');
  L.push(`Corpus: ${res.length} generated documents (seed ${SEED}): ${LAYOUTS.length} layouts (${LAYOUTS.join(', ')}), currencies EUR/USD/GBP/PHP, 1–8 line items; ` +
    `**standard** = clean screenshots (PNG/JPEG, ~190 dpi for A4) and PDFs with a text layer (${std.length}); **hard** = scans: the screenshot rotated 1–3°, blurred, lower contrast, grainy, as JPEG or as an image-only PDF (${hard.length}). ` +
    `Each document read on its own, one after the other, end to end by \`TesseractEngine.extract\` (bytes in → rasterise or text layer → skew estimate → table rules erased on level pages → tesseract \`--psm 4\` TSV → fields, lines, page images; a second \`--psm 11\` pass only for documents the first could not fully read). ` +
    `Scored per field against the ground truth; the line items count as two fields (their number, and all their amounts in order). Percentiles are nearest-rank. ` +
    `The extraction rules were developed looking at seed 1's documents; other seeds (\`--seed=N\`) draw documents it has not seen. ` +
    `Nothing runs beside it: the PRD's OCR service cannot run here (its contract is simulated with this same engine), so the PRD's targets (≥ 90% of fields, < 5 s per document) are the comparison.`);
  L.push('');
  const a = acc(std);
  const h = acc(hard);
  const all = acc(res);
  const maxMs = Math.max(...res.map((r) => r.ms));
  const p95 = percentile(res.map((r) => r.ms), 0.95);
  L.push(`Target: ≥ 90% of fields right on standard layouts — measured **${pct(a)}** (${a.share >= TARGET_ACCURACY ? 'met' : 'NOT met'}); hard (scans) ${pct(h)}; all ${pct(all)}. ` +
    `Target: < 5 s per document — measured p95 **${sec(p95)} s**, max **${sec(maxMs)} s** (${maxMs < TARGET_SECONDS * 1000 ? 'met' : 'NOT met'}).` +
    (res.some((r) => r.error) ? ` Errors: ${res.filter((r) => r.error).map((r) => `${r.id}: ${r.error}`).join('; ')}.` : ''));
  L.push('');
  L.push('| Field | standard | hard (scans) | all |');
  L.push('|---|---:|---:|---:|');
  for (const f of SCORED_FIELDS) L.push(`| ${f} | ${pct(acc(std, f))} | ${pct(acc(hard, f))} | ${pct(acc(res, f))} |`);
  L.push(`| **all fields** | **${pct(a)}** | **${pct(h)}** | **${pct(all)}** |`);
  L.push(`| spurious (a field the document does not have, filled in) | ${a.spurious} | ${h.spurious} | ${all.spurious} |`);
  L.push('');
  L.push('| Layout | documents | standard | hard (scans) |');
  L.push('|---|---:|---:|---:|');
  for (const l of LAYOUTS) {
    const xs = res.filter((r) => r.layout === l);
    L.push(`| ${l} | ${xs.length} | ${pct(acc(xs.filter((r) => r.difficulty === 'standard')))} | ${pct(acc(xs.filter((r) => r.difficulty === 'hard')))} |`);
  }
  L.push('');
  L.push('| Kind | documents | field accuracy | p50 (s) | p95 (s) | max (s) | CPU p50 (s) | CPU max (s) |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const k of Object.keys(KIND_LABEL)) {
    const xs = res.filter((r) => r.kind === k);
    if (!xs.length) continue;
    const ms = xs.map((r) => r.ms);
    const cpu = xs.map((r) => r.cpuS * 1000);
    L.push(`| ${KIND_LABEL[k]} | ${xs.length} | ${pct(acc(xs))} | ${sec(percentile(ms, 0.5))} | ${sec(percentile(ms, 0.95))} | ${sec(Math.max(...ms))} | ${sec(percentile(cpu, 0.5))} | ${sec(Math.max(...cpu))} |`);
  }
  const ms = res.map((r) => r.ms);
  const cpuAll = res.map((r) => r.cpuS * 1000);
  L.push(`| **all** | ${res.length} | ${pct(all)} | ${sec(percentile(ms, 0.5))} | ${sec(percentile(ms, 0.95))} | ${sec(Math.max(...ms))} | ${sec(percentile(cpuAll, 0.5))} | ${sec(Math.max(...cpuAll))} |`);
  L.push('');
  L.push('Time = wall clock per document, end to end. CPU = CPU seconds of the benchmark process and the tools it ran for that document (tesseract, poppler; pages of a document are OCRed two at a time, so CPU can exceed wall time); unlike wall time it does not grow when other processes share the machine.');
  L.push('');
  // calibration: are the confidences useful as a review threshold?
  const confs = { right: [], wrong: [] };
  for (const r of res) {
    if (!r.score) continue;
    for (const f of r.score.fields) {
      if (!f.counted || !(f.field in r.conf)) continue;
      (f.correct ? confs.right : confs.wrong).push(r.conf[f.field]);
    }
  }
  const med = (xs) => (xs.length ? percentile(xs, 0.5).toFixed(2) : '—');
  const below = (xs, t) => xs.filter((c) => c < t).length;
  L.push(`Field confidence (the nine header fields): median ${med(confs.right)} when right (${confs.right.length}), ${med(confs.wrong)} when wrong (${confs.wrong.length}); ` +
    `below 0.8: ${below(confs.right, 0.8)} of the right and ${below(confs.wrong, 0.8)} of the wrong ones.`);
  L.push('');
  const wrong = res.flatMap((r) => (r.score ? r.score.fields.filter((f) => f.counted && !f.correct).map((f) => `${r.id} ${f.field}: ${JSON.stringify(f.expected)} → ${JSON.stringify(f.actual)}`) : []));
  if (wrong.length) {
    L.push(`Misread fields (${wrong.length}): ${wrong.slice(0, 30).map((w) => `\`${w}\``).join('; ')}${wrong.length > 30 ? '; …' : ''}.`);
    L.push('');
  }
  L.push(`Machine load by other processes while the documents were read: ${(100 * R.load.foreignAvg).toFixed(0)}% average, ${(100 * R.load.foreignMax).toFixed(0)}% peak (1 s windows)${R.load.foreignAvg > 0.1 ? ' — **the machine was shared: times are pessimistic**' : ''}; ` +
    `${R.quietBefore.quiet ? 'quiet before the run' : `still ${(100 * R.quietBefore.busy).toFixed(0)}% busy after waiting ${R.quietBefore.waitedS.toFixed(0)} s`}.`);
  L.push(END);
  return L.join('\n');
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
