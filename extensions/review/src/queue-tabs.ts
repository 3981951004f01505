/**
 * The queue's filter tabs and which statuses each lists. "Needs review"
 * also lists documents still being read (an upload shows up at once, as
 * "Received" / "Reading", and turns into a row to review); "Failed / dead
 * letters" lists failed readings and failed postings (only the latter can
 * be replayed). Pure.
 */
import type { DocumentStatus, DocumentSummary } from './types';

export type QueueTab = 'review' | 'failed' | 'posted' | 'all';

export interface TabSpec {
  id: QueueTab;
  label: string;
  /** Statuses listed; undefined: every status. */
  statuses: readonly DocumentStatus[] | undefined;
  /** Counted in the tab's badge (those waiting for a person). */
  counted: readonly DocumentStatus[];
}

export const QUEUE_TABS: readonly TabSpec[] = [
  { id: 'review', label: 'Needs review', statuses: ['received', 'extracting', 'needs_review'], counted: ['needs_review'] },
  { id: 'failed', label: 'Failed / dead letters', statuses: ['failed'], counted: ['failed'] },
  { id: 'posted', label: 'Posted', statuses: ['posted'], counted: [] },
  { id: 'all', label: 'All', statuses: undefined, counted: [] },
];

/** The statuses whose documents are counted for the badges. */
export const COUNTED: readonly DocumentStatus[] = ['needs_review', 'failed'];

export function tabSpec(id: QueueTab): TabSpec {
  return QUEUE_TABS.find((t) => t.id === id)!;
}

/** Per tab, how many of `docs` wait in it (tabs that count nothing are absent). */
export function tabCounts(docs: readonly Pick<DocumentSummary, 'status'>[]): Partial<Record<QueueTab, number>> {
  const out: Partial<Record<QueueTab, number>> = {};
  for (const t of QUEUE_TABS) if (t.counted.length > 0) out[t.id] = docs.filter((d) => t.counted.includes(d.status)).length;
  return out;
}
