/**
 * The demo's world before any move: currencies and their daily rates,
 * companies with their chart of accounts, journals, taxes and lock-date
 * history, and the partners they trade with. Ids are assigned here, in a
 * fixed order, so a seed always gives the same ids.
 */
import { dayOf, isWeekday, type LockDates } from '../accounting-date';
import {
  ACCOUNT_ROLES,
  ACCOUNTS,
  companyPreset,
  CURRENCIES,
  currencyByName,
  JOURNALS,
  partnerNames,
  type AccountRole,
  type CompanyPreset,
  type CurrencyDef,
  type JournalRole,
} from './chart';
import type { JournalInfo } from './ledger';
import type { Rng } from './rng';

export interface Journal extends JournalInfo {
  role: JournalRole;
  name: string;
  defaultAccountId: number | null;
  suspenseAccountId: number | null;
  sequence: number;
}

export type LockField = 'period_lock_date' | 'fiscalyear_lock_date' | 'tax_lock_date';

/** One change of a lock date, as Odoo's mail tracking records it on res.company. */
export interface LockChange {
  field: LockField;
  oldDay: number | null;
  newDay: number;
  ts: number;
}

export interface Company {
  index: number;
  id: number;
  name: string;
  partnerId: number;
  currency: CurrencyDef;
  preset: CompanyPreset;
  account: Record<AccountRole, number>;
  journal: Record<JournalRole, Journal>;
  saleTax: { id: number; rate: number; name: string };
  purchaseTax: { id: number; rate: number; name: string };
  foreign: CurrencyDef[];
  lockChanges: LockChange[];
  /** The lock dates at the end of the demo. */
  locks: LockDates;
  /** When a lock date was last changed: the evidence a "changed after lock" check compares write_date with. */
  lockSetTs: number;
}

export interface Partner {
  id: number;
  name: string;
  currency: string;
  customer: boolean;
  vendor: boolean;
  /** Days a customer usually takes to pay. */
  payDays: number;
  /** Chance a customer invoice is never paid within the year. */
  defaultRisk: number;
  terms: number;
  refPrefix: string;
  refCounter: number;
  vat: string;
  city: string;
}

export interface World {
  year: number;
  /** The administrator's partner (author of the lock-date tracking messages); external partners follow it. */
  adminPartnerId: number;
  startDay: number;
  endDay: number;
  companies: Company[];
  partners: Partner[];
  customers: Partner[];
  vendors: Partner[];
  accountCount: number;
  /** perEur[currencyId][day - startDay]: units of the currency per EUR (rounded to 6 places). */
  perEur: Map<number, Float64Array>;
  /** Accounts whose lines carry a residual (reconcilable, or cash). */
  residualAccounts: Set<number>;
}

const CITIES: Record<string, readonly string[]> = {
  EUR: ['Brussels', 'Paris', 'Lyon', 'Amsterdam', 'Berlin', 'Milan', 'Madrid'],
  USD: ['New York', 'Chicago', 'Austin', 'Seattle', 'Boston'],
  GBP: ['London', 'Manchester', 'Leeds'],
  CHF: ['Zürich', 'Geneva', 'Basel'],
  CAD: ['Toronto', 'Montréal', 'Vancouver'],
};

export function buildWorld(rng: Rng, opts: { year: number; companies: number; partners: number }): World {
  const { year } = opts;
  const startDay = dayOf(year, 1, 1);
  const endDay = dayOf(year, 12, 31);
  const companies: Company[] = [];
  let accountId = 1;
  let journalId = 1;
  let taxId = 1;
  const residualAccounts = new Set<number>();
  for (let i = 0; i < opts.companies; i++) {
    const preset = companyPreset(i);
    const currency = currencyByName(preset.currency);
    const account = {} as Record<AccountRole, number>;
    for (const role of ACCOUNT_ROLES) {
      account[role] = accountId++;
      const [, , type, reconcile] = ACCOUNTS[role];
      if (reconcile || type === 'asset_cash') residualAccounts.add(account[role]);
    }
    const journal = {} as Record<JournalRole, Journal>;
    for (const j of JOURNALS) {
      journal[j.role] = {
        id: journalId++,
        role: j.role,
        code: j.code,
        name: j.name,
        type: j.type,
        companyId: i + 1,
        refundSequence: j.type === 'sale' || j.type === 'purchase',
        paymentSequence: j.type === 'bank' || j.type === 'cash',
        defaultAccountId: j.defaultAccount ? account[j.defaultAccount] : null,
        suspenseAccountId: j.type === 'bank' || j.type === 'cash' ? account.suspense : null,
        sequence: j.sequence,
      };
    }
    const saleTax = { id: taxId++, rate: preset.taxRate, name: preset.taxName };
    const purchaseTax = { id: taxId++, rate: preset.taxRate, name: preset.taxName };
    const lockChanges = lockHistory(year, i);
    const last = lockChanges[lockChanges.length - 1]!;
    const locks: LockDates = { period: null, fiscalyear: null, tax: null };
    for (const c of lockChanges) locks[c.field === 'period_lock_date' ? 'period' : c.field === 'fiscalyear_lock_date' ? 'fiscalyear' : 'tax'] = c.newDay;
    companies.push({
      index: i,
      id: i + 1,
      name: preset.name,
      partnerId: i + 1,
      currency,
      preset,
      account,
      journal,
      saleTax,
      purchaseTax,
      foreign: preset.foreign.map(currencyByName),
      lockChanges,
      locks,
      lockSetTs: last.ts,
    });
  }
  const currencies = [...new Set(companies.flatMap((c) => [c.currency.name, ...c.preset.foreign]))];
  const names = partnerNames(rng, opts.partners, currencies);
  const partners: Partner[] = names.map((n, k) => {
    const customer = rng.chance(0.65);
    const vendor = !customer || rng.chance(0.3);
    return {
      id: opts.companies + 2 + k,
      name: n.name,
      currency: n.currency,
      customer,
      vendor,
      payDays: rng.pick([10, 20, 30, 30, 30, 45, 60]),
      defaultRisk: rng.chance(0.1) ? 0.3 : 0.02,
      terms: rng.pick([15, 30, 30, 45, 60]),
      refPrefix: rng.pick(['INV-', 'F', 'FA', 'BILL-', 'RE', 'SI-']),
      refCounter: rng.int(100, 9000),
      vat: `${n.currency.slice(0, 2)}${String(rng.int(100000000, 999999999))}`,
      city: rng.pick(CITIES[n.currency] ?? ['Brussels']),
    };
  });
  return {
    year,
    adminPartnerId: opts.companies + 1,
    startDay,
    endDay,
    companies,
    partners,
    customers: partners.filter((p) => p.customer),
    vendors: partners.filter((p) => p.vendor),
    accountCount: accountId - 1,
    perEur: rateWalk(rng, startDay, endDay),
    residualAccounts,
  };
}

/** Daily EUR cross rates: a random walk from CURRENCIES' starting values; weekends repeat Friday. */
function rateWalk(rng: Rng, startDay: number, endDay: number): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  for (const c of CURRENCIES) {
    const days = new Float64Array(endDay - startDay + 1);
    let v = c.perEur;
    for (let d = startDay; d <= endDay; d++) {
      if (c.name !== 'EUR' && isWeekday(d) && d > startDay) v *= 1 + 0.0035 * rng.normal();
      days[d - startDay] = Math.round(v * 1e6) / 1e6;
    }
    out.set(c.id, days);
  }
  return out;
}

/** res_currency_rate.rate of `currencyId` for `company` on `day`: units of it per one unit of the company's currency. */
export function rateOf(world: World, company: Company, currencyId: number, d: number): number {
  if (currencyId === company.currency.id) return 1;
  const i = Math.min(Math.max(d, world.startDay), world.endDay) - world.startDay;
  return Math.round((world.perEur.get(currencyId)![i]! / world.perEur.get(company.currency.id)![i]!) * 1e6) / 1e6;
}

/** Company cents for `docCents` of `currencyId` on `day`. */
export function toCompany(world: World, company: Company, currencyId: number, docCents: number, d: number): number {
  return currencyId === company.currency.id ? docCents : Math.round(docCents / rateOf(world, company, currencyId, d));
}

/**
 * The lock dates' history: the fiscal year before is locked on 20 January;
 * each month is locked for non-advisers on the 10th of the month after,
 * up to month 10 (set on 10 November: the close of November is under way
 * when the demo ends); tax returns lock each quarter on the 20th.
 */
function lockHistory(year: number, companyIndex: number): LockChange[] {
  const at = (m: number, d: number, hour: number): number => {
    let day = dayOf(year, m, d);
    while (!isWeekday(day)) day++;
    return day * 86400 + hour * 3600 + 1800 + companyIndex * 60;
  };
  const out: LockChange[] = [{ field: 'fiscalyear_lock_date', oldDay: null, newDay: dayOf(year - 1, 12, 31), ts: at(1, 20, 16) }];
  let prev: number | null = null;
  for (let m = 1; m <= 10; m++) {
    const newDay = dayOf(year, m + 1, 1) - 1;
    out.push({ field: 'period_lock_date', oldDay: prev, newDay, ts: at(m + 1, 10, 16) });
    prev = newDay;
    if (m % 3 === 0) out.push({ field: 'tax_lock_date', oldDay: m === 3 ? null : dayOf(year, m - 2, 1) - 1, newDay, ts: at(m + 1, 20, 17) });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** The lock dates in force on `day` (a change applies from the day after it was made). */
export function locksOn(company: Company, d: number): LockDates {
  const locks: LockDates = { period: null, fiscalyear: null, tax: null };
  for (const c of company.lockChanges) {
    if (Math.floor(c.ts / 86400) >= d) break;
    locks[c.field === 'period_lock_date' ? 'period' : c.field === 'fiscalyear_lock_date' ? 'fiscalyear' : 'tax'] = c.newDay;
  }
  return locks;
}
