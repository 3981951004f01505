/**
 * One detector per PII class: how a single value is judged, and how the
 * counts are put into words for the reason a person reads before
 * confirming a tag.
 *
 * A verdict's weight is how much one matching value proves on its own:
 * near 1 for checksummed identifiers (IBAN, card, most VAT numbers) and
 * e-mail addresses, less for shapes that other data can take (phone
 * numbers, format-only tax ids), and little for a capitalised pair of words
 * whose first is not a known given name.
 */
import { checkCardNumber } from './card-number';
import type { NameHint } from './column-name';
import { isEmailAddress } from './email';
import { checkIban } from './iban';
import { personNameShape } from './person-name';
import { isPhoneNumber } from './phone';
import type { PiiClass } from './pii-class';
import { checkBareTaxId, checkTaxId } from './tax-id';

/** match false: a near miss (the right shape, a wrong check digit; or a company where a person was looked for). */
export interface Verdict {
  match: boolean;
  weight: number;
  kind?: string;
}

export interface Detector {
  /** Judge one value (trimmed, at most 1,000 characters); null when it is not this kind of value at all. */
  detect(text: string, hint: NameHint | null): Verdict | null;
  /** What a column name can suggest: "an email address". */
  label: string;
  /** The predicate after "41 of 50 sampled values": "are email addresses". */
  matches(matched: number, kinds: ReadonlyMap<string, number>): string;
  /** A clause about near misses: "3 more have an IBAN's shape but fail the mod-97 check". */
  nearMisses?(near: number, matched: number): string;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
const are = (n: number): string => plural(n, 'is', 'are');

function kindList(kinds: ReadonlyMap<string, number>): string {
  return [...kinds]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

const MATCH = (weight: number, kind?: string): Verdict => (kind === undefined ? { match: true, weight } : { match: true, weight, kind });
const NEAR = (kind?: string): Verdict => (kind === undefined ? { match: false, weight: 0 } : { match: false, weight: 0, kind });

export const DETECTORS: Readonly<Record<PiiClass, Detector>> = {
  email: {
    label: 'an email address',
    detect: (t) => (isEmailAddress(t) ? MATCH(0.97) : null),
    matches: (m) => `${are(m)} ${plural(m, 'an email address', 'email addresses')}`,
  },
  phone: {
    label: 'a phone number',
    detect: (t) => (isPhoneNumber(t) ? MATCH(0.85) : null),
    matches: (m) => plural(m, 'looks like a phone number', 'look like phone numbers'),
  },
  iban: {
    label: 'an IBAN',
    detect: (t) => {
      const r = checkIban(t);
      return r === 'valid' ? MATCH(0.98) : r === 'bad_check' ? NEAR() : null;
    },
    matches: (m) => `${are(m)} ${plural(m, 'a valid IBAN', 'valid IBANs')} (mod-97 checked)`,
    nearMisses: (k) => `${k} more ${plural(k, 'has', 'have')} an IBAN's shape but ${plural(k, 'fails', 'fail')} the mod-97 check`,
  },
  tax_id: {
    label: 'a tax identifier',
    detect: (t, hint) => {
      const r = checkTaxId(t) ?? (hint?.bare ? checkBareTaxId(t, hint.bare) : null);
      if (!r) return null;
      return r.valid ? MATCH(r.checked ? 0.95 : 0.8, r.kind) : NEAR(r.kind);
    },
    matches: (m, kinds) => `${are(m)} ${plural(m, 'a tax identifier', 'tax identifiers')}${m > 0 ? ` (${kindList(kinds)})` : ''}`,
    nearMisses: (k) => `${k} more ${plural(k, 'has', 'have')} a tax identifier's shape but a wrong check digit or a never-issued number`,
  },
  person_name: {
    label: "a person's name",
    detect: (t) => {
      switch (personNameShape(t)) {
        case 'given_name':
          return MATCH(0.95, 'given');
        case 'name_shape':
          return MATCH(0.35, 'shape');
        case 'company':
          return NEAR('company');
        case 'none':
          return null;
      }
    },
    matches: (m, kinds) => {
      const given = kinds.get('given') ?? 0;
      const detail = given > 0 ? ` (${given} ${plural(given, 'starts', 'start')} with a common given name)` : m > 0 ? ' (none starts with a common given name)' : '';
      return `${plural(m, 'has', 'have')} the shape of a person's name${detail}`;
    },
    nearMisses: (k, m) => `${k} ${plural(k, 'looks like a company name', 'look like company names')}${m > 0 ? ', so the column mixes people and organisations' : ''}`,
  },
  card_number: {
    label: 'a card number',
    detect: (t) => {
      const r = checkCardNumber(t);
      return r ? (r.luhn ? MATCH(0.95, r.issuer) : NEAR(r.issuer)) : null;
    },
    matches: (m, kinds) => `${are(m)} ${plural(m, 'a card number', 'card numbers')} (Luhn checked${m > 0 ? `: ${kindList(kinds)}` : ''})`,
    nearMisses: (k) => `${k} more ${plural(k, 'has', 'have')} a card number's shape but ${plural(k, 'fails', 'fail')} the Luhn check`,
  },
};
