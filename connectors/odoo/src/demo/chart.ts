/**
 * The demo's static setup: currencies, company presets, one chart of
 * accounts and set of journals and taxes per company (codes and names
 * after Odoo's generic chart, l10n_generic_coa), and partner names.
 */
import type { Rng } from './rng';

export interface CurrencyDef {
  id: number;
  name: string;
  fullName: string;
  symbol: string;
  position: 'before' | 'after';
  /** Units per 1 EUR at the start of the year (the random walk starts here). */
  perEur: number;
}

export const CURRENCIES: readonly CurrencyDef[] = [
  { id: 1, name: 'EUR', fullName: 'Euro', symbol: '€', position: 'after', perEur: 1 },
  { id: 2, name: 'USD', fullName: 'United States dollar', symbol: '$', position: 'before', perEur: 1.09 },
  { id: 3, name: 'GBP', fullName: 'Pound sterling', symbol: '£', position: 'before', perEur: 0.855 },
  { id: 4, name: 'CHF', fullName: 'Swiss franc', symbol: 'CHF', position: 'after', perEur: 0.962 },
  { id: 5, name: 'CAD', fullName: 'Canadian dollar', symbol: '$', position: 'before', perEur: 1.47 },
];

export interface CompanyPreset {
  name: string;
  currency: string;
  city: string;
  /** Foreign currencies its customers and vendors sometimes invoice in. */
  foreign: readonly string[];
  /** Sales/purchase tax rate in percent. */
  taxRate: number;
  taxName: string;
}

const PRESETS: readonly CompanyPreset[] = [
  { name: 'Workbench Europe SA', currency: 'EUR', city: 'Brussels', foreign: ['USD', 'GBP'], taxRate: 21, taxName: '21%' },
  { name: 'Workbench Americas Inc.', currency: 'USD', city: 'New York', foreign: ['EUR', 'CAD'], taxRate: 8.875, taxName: 'Sales Tax 8.875%' },
  { name: 'Workbench UK Ltd', currency: 'GBP', city: 'London', foreign: ['EUR', 'USD'], taxRate: 20, taxName: '20% VAT' },
  { name: 'Workbench Schweiz AG', currency: 'CHF', city: 'Zürich', foreign: ['EUR'], taxRate: 8.1, taxName: '8.1%' },
  { name: 'Workbench Canada Ltd', currency: 'CAD', city: 'Toronto', foreign: ['USD'], taxRate: 13, taxName: 'HST 13%' },
];

export function companyPreset(index: number): CompanyPreset {
  const p = PRESETS[index % PRESETS.length]!;
  const round = Math.floor(index / PRESETS.length);
  return round === 0 ? p : { ...p, name: `${p.name} ${round + 1}` };
}

export function currencyByName(name: string): CurrencyDef {
  return CURRENCIES.find((c) => c.name === name)!;
}

/** Account roles the flows use; codes and types after the generic chart. */
export const ACCOUNTS = {
  bank: ['101401', 'Bank', 'asset_cash', false],
  suspense: ['101402', 'Bank Suspense Account', 'asset_current', false],
  outstandingReceipts: ['101403', 'Outstanding Receipts', 'asset_current', true],
  outstandingPayments: ['101404', 'Outstanding Payments', 'asset_current', true],
  cash: ['101501', 'Cash', 'asset_cash', false],
  transfer: ['101701', 'Liquidity Transfer', 'asset_current', true],
  receivable: ['121000', 'Account Receivable', 'asset_receivable', true],
  taxPaid: ['131000', 'Tax Paid', 'asset_current', false],
  equipment: ['151000', 'Office Equipment', 'asset_fixed', false],
  depreciationAcc: ['159000', 'Accumulated Depreciation', 'asset_fixed', false],
  payable: ['211000', 'Account Payable', 'liability_payable', true],
  salariesPayable: ['230000', 'Salaries Payable', 'liability_current', false],
  taxReceived: ['251000', 'Tax Received', 'liability_current', false],
  capital: ['301000', 'Capital', 'equity', false],
  undistributed: ['999999', 'Undistributed Profits/Losses', 'equity_unaffected', false],
  productSales: ['400000', 'Product Sales', 'income', false],
  services: ['401000', 'Services', 'income', false],
  fxGain: ['441000', 'Foreign Exchange Gain', 'income_other', false],
  expenses: ['600000', 'Expenses', 'expense', false],
  rent: ['610000', 'Rent', 'expense', false],
  software: ['620000', 'Software & IT', 'expense', false],
  travel: ['625000', 'Travel & Accommodation', 'expense', false],
  bankFees: ['627000', 'Bank Fees', 'expense', false],
  salaries: ['630000', 'Salaries', 'expense', false],
  fxLoss: ['641000', 'Foreign Exchange Loss', 'expense', false],
  depreciation: ['680000', 'Depreciation', 'expense_depreciation', false],
} as const satisfies Record<string, readonly [string, string, string, boolean]>;
export type AccountRole = keyof typeof ACCOUNTS;
export const ACCOUNT_ROLES = Object.keys(ACCOUNTS) as AccountRole[];

export const INCOME_ROLES: readonly AccountRole[] = ['productSales', 'productSales', 'services'];
export const EXPENSE_ROLES: readonly AccountRole[] = ['expenses', 'software', 'travel', 'expenses', 'software', 'rent'];

export function internalGroup(accountType: string): string {
  return accountType === 'off_balance' ? 'off_balance' : accountType.split('_')[0]!;
}

export type JournalRole = 'sale' | 'purchase' | 'misc' | 'exchange' | 'bank' | 'cash';
export const JOURNALS: readonly { role: JournalRole; code: string; name: string; type: 'sale' | 'purchase' | 'general' | 'bank' | 'cash'; defaultAccount?: AccountRole; sequence: number }[] = [
  { role: 'sale', code: 'INV', name: 'Customer Invoices', type: 'sale', defaultAccount: 'productSales', sequence: 5 },
  { role: 'purchase', code: 'BILL', name: 'Vendor Bills', type: 'purchase', defaultAccount: 'expenses', sequence: 6 },
  { role: 'misc', code: 'MISC', name: 'Miscellaneous Operations', type: 'general', sequence: 7 },
  { role: 'exchange', code: 'EXCH', name: 'Exchange Difference', type: 'general', sequence: 9 },
  { role: 'bank', code: 'BNK1', name: 'Bank', type: 'bank', defaultAccount: 'bank', sequence: 10 },
  { role: 'cash', code: 'CSH1', name: 'Cash', type: 'cash', defaultAccount: 'cash', sequence: 11 },
];

const FIRST = ['Azure', 'Nordic', 'Atlas', 'Cobalt', 'Summit', 'Harbor', 'Granite', 'Willow', 'Vertex', 'Lumen', 'Maple', 'Orion', 'Pioneer', 'Quartz', 'Riverside', 'Sterling', 'Tundra', 'Union', 'Velvet', 'Zephyr', 'Beacon', 'Crescent', 'Delta', 'Ember', 'Falcon', 'Golden', 'Horizon', 'Iris', 'Juniper', 'Keystone'];
const SECOND = ['Interior', 'Logistics', 'Systems', 'Foods', 'Consulting', 'Energy', 'Textiles', 'Labs', 'Media', 'Motors', 'Pharma', 'Retail', 'Software', 'Studios', 'Supplies', 'Telecom', 'Travel', 'Works', 'Capital', 'Design'];
const SUFFIX: Record<string, readonly string[]> = {
  EUR: ['SA', 'GmbH', 'BV', 'SARL', 'SpA'],
  USD: ['Inc.', 'LLC', 'Corp.'],
  GBP: ['Ltd', 'PLC'],
  CHF: ['AG', 'GmbH'],
  CAD: ['Ltd', 'Inc.'],
};

/** `count` distinct company names, deterministic for `rng`. */
export function partnerNames(rng: Rng, count: number, currencies: readonly string[]): { name: string; currency: string }[] {
  const seen = new Set<string>();
  const out: { name: string; currency: string }[] = [];
  while (out.length < count) {
    const currency = rng.pick(currencies);
    let name = `${rng.pick(FIRST)} ${rng.pick(SECOND)} ${rng.pick(SUFFIX[currency] ?? ['Ltd'])}`;
    if (seen.has(name)) name = `${name} (${out.length + 1})`;
    seen.add(name);
    out.push({ name, currency });
  }
  return out;
}
