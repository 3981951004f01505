'use strict';
// Small helpers: timing, statistics, free ports, bounded concurrency.
const net = require('net');
const { performance } = require('perf_hooks');

const now = () => performance.now(); // ms, monotonic
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reject after `ms` unless `p` settles first. */
function withTimeout(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Median with interpolation of the two middle values for even n. */
function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, q in (0, 1]. */
function percentile(xs, q) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(q * s.length))) - 1];
}

function summarize(xs) {
  return {
    n: xs.length,
    p50: percentile(xs, 0.5),
    p99: percentile(xs, 0.99),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
    median: median(xs),
  };
}

/** `count` distinct free TCP ports on 127.0.0.1 (all held open at once, then released). */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      await new Promise((res, rej) => {
        srv.once('error', rej);
        srv.listen(0, '127.0.0.1', res);
      });
      servers.push(srv);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/**
 * Run `fn(item, index)` over items with at most `limit` in flight; results in order.
 * After the first failure no new item starts, and it rejects only once the ones
 * already in flight have settled (so callers can clean up everything they made).
 */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  let firstError;
  async function worker() {
    while (next < items.length && !firstError) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        if (!firstError) firstError = e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError) throw firstError;
  return out;
}

module.exports = { now, sleep, withTimeout, median, percentile, summarize, freePorts, mapLimit };
