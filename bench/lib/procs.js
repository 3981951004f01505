'use strict';
// Child processes started by the benchmark: each in its own process group,
// tracked so that everything (including kernels the servers launched in their
// own sessions) is killed at the end, even on failure or Ctrl-C.
const { spawn } = require('child_process');
const fs = require('fs');

const tracked = new Set(); // pids of process-group leaders we started
const tempDirs = new Set(); // scratch directories to remove at exit

function trackDir(dir) { tempDirs.add(dir); }

function spawnGroup(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  tracked.add(child.pid);
  child.once('exit', () => { child.exited = true; });
  return child;
}

/** All descendants of `pid` (via /proc), deepest first. */
function descendants(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(d));
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) || []) { walk(c); out.push(c); } };
  walk(pid);
  return out;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function killGroup(pid, sig) {
  try { process.kill(-pid, sig); } catch { /* gone */ }
  try { process.kill(pid, sig); } catch { /* gone */ }
}

/**
 * Stop a group leader we spawned: SIGTERM to its group (and to the groups of its
 * descendants, e.g. kernels started with start_new_session), then SIGKILL after
 * `graceMs`. Kills by pid/pgid only.
 */
async function stopGroup(child, graceMs = 5000) {
  if (!child || !child.pid) return;
  const pids = [child.pid, ...descendants(child.pid)];
  for (const p of pids) killGroup(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids) if (alive(p)) killGroup(p, 'SIGKILL');
  tracked.delete(child.pid);
}

/** Synchronous last resort (process 'exit'): SIGKILL every tracked group and its descendants. */
function killAllSync() {
  for (const pid of tracked) {
    let pids = [pid];
    try { pids = [pid, ...descendants(pid)]; } catch { /* ignore */ }
    for (const p of pids) killGroup(p, 'SIGKILL');
  }
  tracked.clear();
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
  tempDirs.clear();
}

/**
 * CPU seconds (user + system) used so far by `pid`, its live descendants, and
 * the children they have already reaped (cutime/cstime), so a kernel that
 * exits does not make its CPU vanish from the total.
 */
function treeCpuSeconds(pid) {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime (fields 14-17)
    } catch { /* exited */ }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** CPU seconds (user + system) of one process itself, without its children. */
function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

module.exports = { spawnGroup, stopGroup, killAllSync, descendants, treeCpuSeconds, procCpuSeconds, trackDir };
