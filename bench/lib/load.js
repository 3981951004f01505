'use strict';
// Background-load accounting: how much of the machine other processes (not this
// benchmark, its servers or their kernels) used while a step ran, and a bounded
// wait for a quiet machine before each step. On a shared 2-CPU box this is what
// decides whether numbers from two runs are comparable.
const fs = require('fs');
const { treeCpuSeconds } = require('./procs');
const { sleep } = require('./util');

function sysTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0); // idle + iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // exclude guest (already in user)
  return { busy: total - idle, total };
}

function sample() {
  return { sys: sysTicks(), ours: treeCpuSeconds(process.pid) * 100 };
}

/** Share of the whole machine (0..1) used between two samples: all, ours, and foreign. */
function share(a, b) {
  const dt = b.sys.total - a.sys.total;
  if (dt <= 0) return { all: 0, ours: 0, foreign: 0 };
  const all = (b.sys.busy - a.sys.busy) / dt;
  const ours = Math.max(0, (b.ours - a.ours) / dt);
  return { all, ours, foreign: Math.max(0, all - ours) };
}

class LoadMonitor {
  constructor(intervalMs = 1000) {
    this.samples = [];
    let prev = sample();
    this.first = prev;
    this.timer = setInterval(() => {
      const cur = sample();
      this.samples.push(share(prev, cur).foreign);
      prev = cur;
    }, intervalMs);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
    const total = share(this.first, sample());
    return { foreignAvg: total.foreign, foreignMax: this.samples.length ? Math.max(...this.samples) : total.foreign, oursAvg: total.ours };
  }
}

/** Wait (bounded) for a 1 s window in which the whole machine is < maxShare busy. */
async function waitMachineQuiet({ maxShare = 0.1, timeoutMs = 30000 } = {}) {
  const t0 = Date.now();
  let prev = sample();
  for (;;) {
    await sleep(1000);
    const cur = sample();
    const s = share(prev, cur);
    prev = cur;
    if (s.all < maxShare) return { quiet: true, waitedS: (Date.now() - t0) / 1000 };
    if (Date.now() - t0 > timeoutMs) return { quiet: false, waitedS: (Date.now() - t0) / 1000, busy: s.all };
  }
}

module.exports = { LoadMonitor, waitMachineQuiet };
