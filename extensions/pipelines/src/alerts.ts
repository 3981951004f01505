/**
 * What the dashboard puts first: runs still going (or waiting) past their
 * SLA deadline, then runs that failed or timed out in the last 24 hours.
 * Pure; the clock comes in.
 */
import { formatRelative, statusLabel } from './format';
import type { Run } from './types';

export const DAY = 24 * 3600 * 1000;

export interface Alert {
  kind: 'sla' | 'failed';
  run: Run;
  text: string;
}

/** SLA misses first, then failures of the last 24 h, each in the order given (newest first). */
export function alertsOf(active: readonly Run[], failed: readonly Run[], now: number): Alert[] {
  const sla = active
    .filter((r) => r.slaDeadline !== null && Date.parse(r.slaDeadline) < now)
    .map((run): Alert => ({ kind: 'sla', run, text: `SLA missed: ${run.pipelineName} (${run.period.label}) is still ${statusLabel(run.status).toLowerCase()}, due ${formatRelative(run.slaDeadline!, now)}` }));
  const fails = failed
    .filter((r) => now - Date.parse(r.finishedAt ?? r.createdAt) <= DAY)
    .map((run): Alert => ({ kind: 'failed', run, text: `${statusLabel(run.status)}: ${run.pipelineName} (${run.period.label}), ${formatRelative(run.finishedAt ?? run.createdAt, now)}${run.error ? ` — ${run.error}` : ''}` }));
  return [...sla, ...fails];
}
