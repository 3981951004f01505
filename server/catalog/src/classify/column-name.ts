/**
 * What a column's name (and its table's name) say about its content.
 *
 * Names are split into lower-case tokens (snake_case, camelCase, kebab,
 * accents removed): `email_from` -> email, from; `accHolderName` -> acc,
 * holder, name. A hint is a token sequence (`acc_number` matches the tokens
 * acc, number side by side) or a fragment of the name with separators
 * removed (`e_mail` -> "email"). A hint is cancelled by a token that says
 * the column is about something else (`email_count`, `tax_amount`,
 * `bank_account_id`). Strength is the confidence the name alone gives.
 */
import type { PiiClass } from './pii-class';
import type { BareTaxId } from './tax-id';

export interface NameHint {
  strength: number;
  /** The part of the name that matched, for the reason sentence. */
  word: string;
  /** For tax ids: the bare number the name announces (SIREN, SIRET, SSN). */
  bare?: BareTaxId;
}

interface HintRules {
  /** Token sequences, `_`-joined, with the strength each gives. */
  seq: Readonly<Record<string, number>>;
  /** Fragments of the separator-free name. */
  compact?: Readonly<Record<string, number>>;
  not: readonly string[];
}

const STRONG = 0.55;
const WEAK = 0.4;

const RULES: Readonly<Record<PiiClass, HintRules>> = {
  email: {
    seq: { email: 0.6, mail: STRONG, courriel: STRONG, mel: WEAK },
    compact: { email: 0.6 },
    not: ['id', 'ids', 'count', 'template', 'server', 'host', 'domain', 'verified', 'status', 'type', 'date', 'sent', 'bounce', 'alias'],
  },
  phone: {
    seq: { phone: STRONG, mobile: STRONG, tel: STRONG, telephone: STRONG, fax: STRONG, gsm: STRONG, cell: WEAK, cellphone: STRONG, portable: WEAK, telefon: STRONG, telefono: STRONG },
    compact: { phone: STRONG, telephone: STRONG },
    not: ['id', 'ids', 'count', 'code', 'prefix', 'type', 'verified', 'country'],
  },
  iban: {
    seq: { iban: 0.6, acc_number: STRONG, bank_account: STRONG, bank_acc: STRONG, account_number: WEAK, acc_no: WEAK, account_no: WEAK },
    compact: { iban: 0.6, bankaccount: STRONG },
    not: ['id', 'ids', 'count', 'type', 'bic', 'swift', 'holder', 'name', 'currency', 'country', 'journal'],
  },
  tax_id: {
    seq: {
      vat: STRONG, tva: STRONG, tax_id: STRONG, tax_number: STRONG, tin: STRONG, siret: STRONG, siren: STRONG, ssn: STRONG, ein: STRONG,
      nif: STRONG, cif: WEAK, company_registry: STRONG, ust_id: STRONG, ustid: STRONG, btw: STRONG, piva: STRONG, partita_iva: STRONG,
      codice_fiscale: STRONG, fiscal_code: STRONG, steuernummer: STRONG, social_security: STRONG,
    },
    compact: { vatnumber: STRONG, taxid: STRONG, companyregistry: STRONG, socialsecurity: STRONG },
    not: ['ids', 'amount', 'rate', 'base', 'total', 'percent', 'included', 'excluded', 'line', 'repartition', 'group', 'exigibility', 'scope', 'type', 'country', 'mode', 'count'],
  },
  person_name: {
    seq: {
      name: WEAK, display_name: WEAK, full_name: STRONG, first_name: STRONG, last_name: STRONG, middle_name: STRONG, given_name: STRONG,
      family_name: STRONG, maiden_name: STRONG, surname: STRONG, contact_name: STRONG, partner_name: STRONG, employee_name: STRONG,
      employee: STRONG, customer_name: STRONG, holder_name: STRONG, person_name: STRONG, nom: WEAK, prenom: STRONG,
    },
    compact: { firstname: STRONG, lastname: STRONG, fullname: STRONG, surname: STRONG, givenname: STRONG, familyname: STRONG, holdername: STRONG },
    not: ['id', 'ids', 'count', 'code', 'ref', 'number', 'type'],
  },
  card_number: {
    seq: { card_number: STRONG, credit_card: STRONG, cc_number: STRONG, ccnumber: STRONG, card_no: STRONG, card_num: STRONG, pan: STRONG, card: WEAK },
    compact: { cardnumber: STRONG, creditcard: STRONG },
    not: ['id', 'ids', 'type', 'brand', 'expiry', 'exp', 'holder', 'name', 'cvv', 'cvc', 'token', 'last4', 'last', 'four', 'fingerprint', 'count', 'fee'],
  },
};

/** Column tokens that make a `name`-like column about something other than people. */
const NOT_PEOPLE_COLUMN = new Set(['product', 'journal', 'account', 'company', 'bank', 'file', 'filename', 'table', 'tax', 'currency', 'country', 'category', 'tag', 'uom', 'template', 'report', 'field', 'model', 'host', 'server', 'domain', 'state', 'city', 'street', 'project', 'task', 'stage', 'team', 'group', 'job', 'module', 'menu', 'website', 'location', 'warehouse']);
const PEOPLE_TABLE = new Set(['partner', 'partners', 'user', 'users', 'employee', 'employees', 'contact', 'contacts', 'customer', 'customers', 'person', 'persons', 'people', 'member', 'members', 'applicant', 'candidate', 'student', 'patient', 'hr', 'holder', 'client', 'clients', 'supplier', 'suppliers', 'vendor', 'vendors', 'guest', 'attendee', 'visitor', 'lead', 'leads']);
const NOT_PEOPLE_TABLE = new Set(['account', 'product', 'journal', 'tax', 'currency', 'country', 'company', 'category', 'uom', 'warehouse', 'location', 'stock', 'mrp', 'analytic', 'ir', 'asset', 'budget', 'move', 'template', 'bank', 'project', 'task', 'stage', 'pricelist', 'payment', 'fiscal', 'incoterms', 'website', 'mail', 'report']);

export function nameTokens(name: string): string[] {
  return name
    .slice(0, 200)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
}

const BARE: Readonly<Record<string, BareTaxId>> = { siren: 'siren', siret: 'siret', ssn: 'ssn', social_security: 'ssn' };

/** What the column name says about one class, or null when it says nothing (or is cancelled). */
export function nameHint(cls: PiiClass, columnName: string): NameHint | null {
  const tokens = nameTokens(columnName);
  const rules = RULES[cls];
  if (tokens.length === 0 || tokens.some((t) => rules.not.includes(t))) return null;
  const joined = `_${tokens.join('_')}_`;
  const compact = tokens.join('');
  let best: NameHint | null = null;
  for (const [seq, strength] of Object.entries(rules.seq)) {
    if (joined.includes(`_${seq}_`) && (!best || strength > best.strength)) best = { strength, word: seq, ...(BARE[seq] ? { bare: BARE[seq] } : {}) };
  }
  for (const [fragment, strength] of Object.entries(rules.compact ?? {})) {
    if (compact.includes(fragment) && (!best || strength > best.strength)) best = { strength, word: fragment };
  }
  return best;
}

export type TableKind = 'people' | 'not_people' | 'neutral';

/** Whether a table is about people (res_partner, hr_employee) or clearly not (account_account, product_template). */
export function tableKind(tableName: string | undefined): TableKind {
  if (!tableName) return 'neutral';
  const tokens = nameTokens(tableName.slice(tableName.lastIndexOf('.') + 1));
  if (tokens.some((t) => PEOPLE_TABLE.has(t))) return 'people';
  if (tokens.some((t) => NOT_PEOPLE_TABLE.has(t))) return 'not_people';
  return 'neutral';
}

/** The token of a column name that points away from people ("product" in product_name), or null. */
export function notPeopleToken(columnName: string): string | null {
  return nameTokens(columnName).find((t) => NOT_PEOPLE_COLUMN.has(t)) ?? null;
}
