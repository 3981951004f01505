#!/usr/bin/env bash
# Soak the test suite: run jest N times in a row on the current checkout and
# report every test that failed at least once (with how often), and the wall
# time of each run. Opt-in (not part of `npm test`): flaky tests show up here
# before they throw away somebody's CI run.
#
#   scripts/soak-tests.sh [--no-build] N [jest args...]
#
#   N             how many runs (>= 1)
#   --no-build    skip the one build before the first run (`node scripts/setup.js
#                 --test`, what `npm test` runs as pretest); use when lib/ and the
#                 lab-ui bundle are already current
#   jest args     passed to every run, e.g. a path pattern to soak one package:
#                 scripts/soak-tests.sh 20 server/collab
#
# Every run writes its jest --json report and its console output under
# test-artifacts/soak/<timestamp>-<id>/ (kept for reading the failures). A failing
# or crashing run does not stop the soak. Exit status: 0 when every run of
# every test passed, 1 when any test failed (or a run produced no report),
# 2 on bad arguments.
set -uo pipefail

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

build=1
if [[ "${1:-}" == "--no-build" ]]; then
  build=0
  shift
fi
[[ $# -ge 1 && "$1" =~ ^[1-9][0-9]*$ ]] || usage
runs=$1
shift

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p "$root/test-artifacts/soak"
out="$(mktemp -d "$root/test-artifacts/soak/$(date +%Y%m%d-%H%M%S)-XXXX")"

if [[ $build -eq 1 ]]; then
  echo "soak: building once (node scripts/setup.js --test)"
  if ! node scripts/setup.js --test >"$out/build.log" 2>&1; then
    echo "soak: the build failed; see $out/build.log" >&2
    tail -n 20 "$out/build.log" >&2
    exit 1
  fi
fi

interrupted=0
trap 'interrupted=1' INT

echo "soak: $runs run(s) of jest $*; reports in $out"
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s%N)
  node node_modules/jest/bin/jest.js --json --outputFile="$out/run-$i.json" "$@" >"$out/run-$i.log" 2>&1
  code=$?
  end=$(date +%s%N)
  echo "$i $(((end - start) / 1000000)) $code" >>"$out/runs.txt"
  printf 'soak: run %d/%d: exit %d in %d s\n' "$i" "$runs" "$code" $(((end - start) / 1000000000))
  if [[ $interrupted -eq 1 ]]; then
    echo "soak: interrupted; reporting the runs so far" >&2
    break
  fi
done

# Aggregate the per-run reports.
node - "$out" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const root = process.cwd();
const runs = fs.readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n').map((l) => {
  const [n, ms, code] = l.split(' ').map(Number);
  return { n, ms, code };
});
const failures = new Map(); // "file › test" -> { count, runs: [] }
const note = (key, n) => {
  const f = failures.get(key) ?? { count: 0, runs: [] };
  f.count++;
  f.runs.push(n);
  failures.set(key, f);
};
const rows = [];
for (const r of runs) {
  const file = path.join(dir, `run-${r.n}.json`);
  const log = fs.existsSync(path.join(dir, `run-${r.n}.log`)) ? fs.readFileSync(path.join(dir, `run-${r.n}.log`), 'utf8') : '';
  const notes = [];
  if (/failed to exit gracefully/.test(log)) notes.push('a worker did not exit gracefully (open handle)');
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    note(`(run produced no jest report: exit ${r.code}; see run-${r.n}.log)`, r.n);
    rows.push({ ...r, tests: '-', failed: '-', notes: notes.concat('no report').join('; ') });
    continue;
  }
  let failed = 0;
  for (const suite of report.testResults) {
    const rel = path.relative(root, suite.name);
    const bad = suite.assertionResults.filter((a) => a.status === 'failed');
    for (const a of bad) note(`${rel} › ${a.fullName}`, r.n);
    failed += bad.length;
    if (suite.status === 'failed' && bad.length === 0) {
      note(`${rel} › (suite failed to run)`, r.n);
      failed++;
    }
  }
  if (r.code !== 0 && failed === 0) {
    note(`(run exited ${r.code} with no failed test; see run-${r.n}.log)`, r.n);
    failed++;
  }
  rows.push({ ...r, tests: report.numTotalTests, failed, notes: notes.join('; ') });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log('\nrun  wall time  exit  tests  failed  notes');
for (const r of rows) console.log(`${lpad(r.n, 3)}  ${lpad((r.ms / 1000).toFixed(1) + ' s', 9)}  ${lpad(r.code, 4)}  ${lpad(r.tests, 5)}  ${lpad(r.failed, 6)}  ${r.notes}`);
const total = rows.reduce((s, r) => s + r.ms, 0);
console.log(`total ${(total / 1000).toFixed(1)} s, mean ${(total / rows.length / 1000).toFixed(1)} s per run`);

if (failures.size === 0) {
  console.log(`\nNo test failed in ${rows.length} run(s).`);
  process.exit(0);
}
console.log(`\nTests that failed at least once (${failures.size}):`);
console.log(`${pad('count', 7)}${pad('runs', 14)}test`);
for (const [key, f] of [...failures].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))) {
  console.log(`${pad(`${f.count}/${rows.length}`, 7)}${pad(f.runs.join(','), 14)}${key}`);
}
console.log(`\nReports and console output: ${dir}`);
process.exit(1);
EOF
