/** Sizes and times as the screens show them. */

/** "512 B", "24 KB", "1.5 MB", "3.2 GB" (binary units); null: "size unknown". */
export function formatBytes(n: number | null): string {
  if (n === null) return 'size unknown';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)} ${units[u]}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", from an ISO 8601 time or epoch milliseconds (a time it cannot read is shown as given). */
export function formatRelative(time: string | number, now: number): string {
  const t = typeof time === 'number' ? time : Date.parse(time);
  if (Number.isNaN(t)) return String(time);
  const s = Math.round(Math.max(0, now - t) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const hours = Math.round(m / 60);
  if (hours < 24) return `${hours} h ago`;
  const d = Math.round(hours / 24);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}
