/**
 * The faults the demo can seed, each exactly once, and what it records
 * about each so a check can be asserted to find exactly that. Each names
 * the evidence a real month-end check would use (README.md, "Faults").
 */
import { dayOf, endOfMonth, isWeekday } from '../accounting-date';
import type { Rng } from './rng';

export const FAULT_KINDS = ['unbalanced_move', 'subledger_mismatch', 'duplicate_bill', 'changed_after_lock', 'sequence_gap', 'bank_line_missing_in_gl', 'suspense_not_cleared'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(v: string): v is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(v);
}

interface FaultBase {
  companyId: number;
  /** 1-12, the month of the faulty entry's date. */
  month: number;
}

export type InjectedFault =
  | (FaultBase & { kind: 'unbalanced_move'; moveId: number; moveName: string; journalId: number; debit: string; credit: string; difference: string })
  | (FaultBase & { kind: 'subledger_mismatch'; moveId: number; moveName: string; lineId: number; accountId: number; accountCode: string; amount: string; evidence: string })
  | (FaultBase & { kind: 'duplicate_bill'; moveIds: [number, number]; moveNames: [string, string]; partnerId: number; ref: string; amountTotal: string })
  | (FaultBase & { kind: 'changed_after_lock'; moveId: number; moveName: string; lineIds: number[]; date: string; lockDate: string; lockSetAt: string; writeDate: string })
  | (FaultBase & { kind: 'sequence_gap'; journalId: number; sequencePrefix: string; missingNumber: number; missingName: string })
  | (FaultBase & { kind: 'bank_line_missing_in_gl'; statementLineId: number; moveId: number; journalId: number; amount: string; expectedAccountId: number; postedAccountId: number })
  | (FaultBase & { kind: 'suspense_not_cleared'; statementLineId: number; moveId: number; lineId: number; journalId: number; accountId: number; amount: string });

export interface PlannedFault {
  kind: FaultKind;
  companyIndex: number;
  month: number;
  /** The weekday it happens on (for faults tied to a monthly entry: that entry's day). */
  day: number;
}

/** Months each fault may fall in: a change after the lock must be dated inside the locked period (months 1-10). */
const MONTHS: Record<FaultKind, [number, number]> = {
  unbalanced_move: [1, 12],
  subledger_mismatch: [1, 12],
  duplicate_bill: [1, 11],
  changed_after_lock: [2, 10],
  sequence_gap: [2, 12],
  bank_line_missing_in_gl: [1, 12],
  suspense_not_cleared: [1, 12],
};

export function planFaults(rng: Rng, kinds: readonly FaultKind[], year: number, companies: number): PlannedFault[] {
  return [...new Set(kinds)].map((kind) => {
    const [lo, hi] = MONTHS[kind];
    const month = rng.int(lo, hi);
    let day = dayOf(year, month, rng.int(3, 18));
    while (!isWeekday(day)) day++;
    if (kind === 'unbalanced_move' || kind === 'changed_after_lock') {
      day = endOfMonth(day);
      while (!isWeekday(day)) day--;
    }
    return { kind, companyIndex: rng.int(0, companies - 1), month, day };
  });
}
