/**
 * Tax and company identifiers.
 *
 * - EU VAT numbers with their country prefix (VIES formats, Greece as EL
 *   or GR), plus GB/XI, CH (CHE…) and NO. Check digits are verified where
 *   the rule is short and public: FR (key over the SIREN), DE (ISO 7064
 *   MOD 11,10), BE (mod 97), IT (Luhn), LU (mod 89), NL (mod 11, or mod 97
 *   for sole-trader numbers since 2020), GB/XI (mod 97 / 9755). Other
 *   countries are format-only.
 * - US EIN `NN-NNNNNNN` (prefixes the IRS never assigns are refused) and
 *   US SSN `NNN-NN-NNNN` (area 000, 666 and 9xx, group 00 and serial 0000
 *   are never issued).
 * - Bare French SIREN (9 digits) / SIRET (14 digits), Luhn-checked, and
 *   bare 9-digit SSNs: only when the column name says so, since a bare run
 *   of digits proves nothing by itself.
 */
import { luhnValid } from './card-number';
import { mod97 } from './iban';

export interface TaxIdCheck {
  kind: string; // e.g. "FR VAT", "US SSN"
  valid: boolean; // false: the right shape, but a check digit is wrong (or the number is never issued)
  checked: boolean; // a check digit was verified, not only the format
}

export type BareTaxId = 'siren' | 'siret' | 'ssn';

interface VatRule {
  body: RegExp;
  check?: (body: string) => boolean;
}

const digitAt = (s: string, i: number): number => s.charCodeAt(i) - 48;

function frKey(b: string): boolean {
  const key = b.slice(0, 2);
  if (!/^\d\d$/.test(key)) return true; // new-style alphanumeric keys: format only
  return Number(key) === (12 + 3 * (Number(b.slice(2)) % 97)) % 97;
}

function deMod11_10(b: string): boolean {
  let p = 10;
  for (let i = 0; i < 8; i++) {
    let s = (digitAt(b, i) + p) % 10;
    if (s === 0) s = 10;
    p = (2 * s) % 11;
  }
  return (11 - p) % 10 === digitAt(b, 8);
}

function nlCheck(b: string): boolean {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += digitAt(b, i) * (9 - i);
  return sum % 11 === digitAt(b, 8) || mod97(`NL${b}`) === 1;
}

function gbCheck(b: string): boolean {
  if (!/^\d{9}/.test(b)) return true; // GD/HA government and health-authority numbers: format only
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += digitAt(b, i) * (8 - i);
  const total = sum + Number(b.slice(7, 9));
  return total % 97 === 0 || (total + 55) % 97 === 0;
}

const GB: VatRule = { body: /^(?:\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/, check: gbCheck };
const EL: VatRule = { body: /^\d{9}$/ };

const VAT: Readonly<Record<string, VatRule>> = {
  AT: { body: /^U\d{8}$/ },
  BE: { body: /^[01]\d{9}$/, check: (b) => 97 - (Number(b.slice(0, 8)) % 97) === Number(b.slice(8)) },
  BG: { body: /^\d{9,10}$/ },
  CH: { body: /^E\d{9}(?:MWST|TVA|IVA)?$/ },
  CY: { body: /^\d{8}[A-Z]$/ },
  CZ: { body: /^\d{8,10}$/ },
  DE: { body: /^\d{9}$/, check: deMod11_10 },
  DK: { body: /^\d{8}$/ },
  EE: { body: /^\d{9}$/ },
  EL,
  GR: EL,
  ES: { body: /^(?:[A-Z]\d{7}[A-Z0-9]|\d{8}[A-Z])$/ },
  FI: { body: /^\d{8}$/ },
  FR: { body: /^[0-9A-HJ-NP-Z]{2}\d{9}$/, check: frKey },
  GB,
  XI: GB,
  HR: { body: /^\d{11}$/ },
  HU: { body: /^\d{8}$/ },
  IE: { body: /^(?:\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/ },
  IT: { body: /^\d{11}$/, check: luhnValid },
  LT: { body: /^(?:\d{9}|\d{12})$/ },
  LU: { body: /^\d{8}$/, check: (b) => Number(b.slice(0, 6)) % 89 === Number(b.slice(6)) },
  LV: { body: /^\d{11}$/ },
  MT: { body: /^\d{8}$/ },
  NL: { body: /^\d{9}B\d{2}$/, check: nlCheck },
  NO: { body: /^\d{9}(?:MVA)?$/ },
  PL: { body: /^\d{10}$/ },
  PT: { body: /^\d{9}$/ },
  RO: { body: /^\d{2,10}$/ },
  SE: { body: /^\d{10}01$/ },
  SI: { body: /^\d{8}$/ },
  SK: { body: /^\d{10}$/ },
};

const EIN = /^(\d{2})-\d{7}$/;
const EIN_NEVER_ASSIGNED = new Set(['00', '07', '08', '09', '17', '18', '19', '28', '29', '49', '69', '70', '78', '79', '89', '96', '97']);
const SSN = /^(\d{3})-(\d{2})-(\d{4})$/;

function ssnIssuable(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/** A tax identifier recognised from the value alone, or null. */
export function checkTaxId(text: string): TaxIdCheck | null {
  if (text.length > 40) return null;
  const ein = EIN.exec(text);
  if (ein) return { kind: 'US EIN', valid: !EIN_NEVER_ASSIGNED.has(ein[1]!), checked: false };
  const ssn = SSN.exec(text);
  if (ssn) return { kind: 'US SSN', valid: ssnIssuable(ssn[1]!, ssn[2]!, ssn[3]!), checked: false };
  const s = text.toUpperCase().replace(/[\s.\-]/g, '');
  const rule = VAT[s.slice(0, 2)];
  if (!rule) return null;
  const body = s.slice(2);
  if (!rule.body.test(body)) return null;
  const country = s.slice(0, 2) === 'GR' ? 'EL' : s.slice(0, 2);
  return { kind: `${country} VAT`, valid: rule.check ? rule.check(body) : true, checked: rule.check !== undefined };
}

/** A bare SIREN, SIRET or SSN, tried only when the column name announces one. */
export function checkBareTaxId(text: string, expected: BareTaxId): TaxIdCheck | null {
  if (text.length > 40) return null;
  const s = text.replace(/[\s.\-]/g, '');
  if (!/^\d+$/.test(s)) return null;
  switch (expected) {
    case 'siren':
      return s.length === 9 ? { kind: 'FR SIREN', valid: luhnValid(s), checked: true } : null;
    case 'siret':
      return s.length === 14 ? { kind: 'FR SIRET', valid: luhnValid(s), checked: true } : null;
    case 'ssn':
      return s.length === 9 ? { kind: 'US SSN', valid: ssnIssuable(s.slice(0, 3), s.slice(3, 5), s.slice(5)), checked: false } : null;
  }
}
