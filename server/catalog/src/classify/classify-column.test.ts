/** classifyColumn on Odoo-shaped columns: what a person reviewing suggestions would see. */
import { classifyColumn, PII_TAGS, type ColumnSample } from './index';

const VARCHAR = 'character varying';

const PEOPLE = ['Jean Dupont', 'Marie Martin', 'Thomas Bernard', 'Sophie Durand', 'Lucas Moreau', 'Anna Schmidt', 'Giulia Rossi', 'Pieter de Vries', 'Carlos García', 'Emma Wilson', 'Nicole Ford', 'Brandon Freeman'];
const COMPANIES = ['Azure Interior SA', 'Deco Addict SARL', 'Gemini Furniture GmbH', 'Ready Mat BV', 'Wood Corner Ltd', 'Lumber Inc', 'Acme Corp', 'Smith & Sons'];
const EMAILS = PEOPLE.map((p) => `${p.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ /g, '.')}@example.com`).concat(['info@azure-interior.fr', 'compta@deco-addict.be', 'ap@gemini.de', 'billing@readymat.nl']);
const VATS = ['FR40303265045', 'FR10201071364', 'FR71492655486', 'FR 16 725 763 863', 'BE0477472701', 'BE0240505560', 'BE 0260.763.912', 'BE0888934823', 'DE136695976', 'DE534640971', 'DE302466339', 'DE629923129'];
const IBANS = ['FR1420041010050500013M02606', 'FR76 3000 6000 0112 3456 7890 189', 'FR4783016613186091390996030', 'DE89370400440532013000', 'DE02786579754323194875', 'DE92749118625276018955', 'BE68539007547034', 'BE59597971147104', 'NL91ABNA0417164300', 'NL11ABNA0342366712', 'ES9121000418450200051332', 'IT60X0542811101000000123456', 'LU280019400644750000', 'LU049336338750047439'];
const CARDS = ['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '6011111111111117', '4012888888881881', '5105105105105100', '371449635398431', '6011000990139424', '4222222222222', '2221000000000009'];

function col(name: string, values: readonly unknown[], tableName?: string, type = VARCHAR): ColumnSample {
  return tableName === undefined ? { name, type, values } : { name, type, values, tableName };
}

describe('classifyColumn on Odoo columns', () => {
  it('res_partner.email with real-looking addresses: pii:email, high confidence', () => {
    const out = classifyColumn(col('email', [...EMAILS, null, null, ''], 'res_partner'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ tag: 'pii:email', basis: 'name+values', matched: EMAILS.length, sampled: EMAILS.length });
    expect(out[0]!.confidence).toBeGreaterThanOrEqual(0.95);
    expect(out[0]!.reason).toBe(`${EMAILS.length} of ${EMAILS.length} sampled values are email addresses; the column name "email" suggests an email address`);
  });

  it('mail_message.email_from in "Name <address>" form is still e-mail', () => {
    const out = classifyColumn(col('email_from', PEOPLE.map((p, i) => `${p} <${EMAILS[i]}>`), 'mail_message'));
    expect(out.map((s) => s.tag)).toEqual(['pii:email']);
  });

  it('res_partner.vat with valid FR, BE and DE numbers: pii:tax_id, naming the kinds found', () => {
    const [s, ...rest] = classifyColumn(col('vat', [...VATS, null, null], 'res_partner'));
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ tag: 'pii:tax_id', basis: 'name+values', matched: 12, sampled: 12 });
    expect(s!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(s!.reason).toContain('12 of 12 sampled values are tax identifiers (4 BE VAT, 4 DE VAT, 4 FR VAT)');
  });

  it('res_partner.company_registry holding bare SIRENs is a tax id only because the name says so', () => {
    const sirens = [580207058, 996197331, 530985811, 665412094, 450028352, 591946611, 263033078, 104222468, 608409165, 229210455];
    expect(classifyColumn(col('siren', sirens, 'res_partner', 'integer'))[0]).toMatchObject({ tag: 'pii:tax_id', matched: 10 });
    expect(classifyColumn(col('ref', sirens.map(String), 'res_partner'))).toEqual([]);
  });

  it('res_partner_bank.acc_number with valid IBANs: pii:iban; wrong check digits lower the match count', () => {
    const good = classifyColumn(col('acc_number', IBANS, 'res_partner_bank'));
    expect(good).toHaveLength(1);
    expect(good[0]).toMatchObject({ tag: 'pii:iban', basis: 'name+values', matched: 14, sampled: 14 });
    expect(good[0]!.confidence).toBeGreaterThanOrEqual(0.95);
    expect(good[0]!.reason).toContain('14 of 14 sampled values are valid IBANs (mod-97 checked)');

    // Four typos: last digit changed, so mod-97 fails.
    const typos = IBANS.map((v, i) => (i % 4 === 0 ? v.slice(0, -1) + String((Number(v.slice(-1)) + 1) % 10) : v));
    const [bad] = classifyColumn(col('acc_number', typos, 'res_partner_bank'));
    expect(bad).toMatchObject({ tag: 'pii:iban', matched: 10, sampled: 14 });
    expect(bad!.confidence).toBeLessThan(good[0]!.confidence);
    expect(bad!.reason).toContain('10 of 14 sampled values are valid IBANs (mod-97 checked); 4 more have an IBAN\'s shape but fail the mod-97 check');
  });

  it('res_partner.name mixing people and companies: person_name at moderate confidence, and the reason says it is mixed', () => {
    const out = classifyColumn(col('name', [...PEOPLE, ...COMPANIES], 'res_partner'));
    expect(out).toHaveLength(1);
    const [s] = out;
    expect(s).toMatchObject({ tag: 'pii:person_name', basis: 'name+values', matched: 12, sampled: 20 });
    expect(s!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(s!.confidence).toBeLessThan(0.8);
    expect(s!.reason).toContain("12 of 20 sampled values have the shape of a person's name (12 start with a common given name)");
    expect(s!.reason).toContain('8 look like company names, so the column mixes people and organisations');
  });

  it('a column of people only is more certain than the mixed one', () => {
    const [s] = classifyColumn(col('contact_name', PEOPLE, 'crm_lead'));
    expect(s).toMatchObject({ tag: 'pii:person_name', matched: 12 });
    expect(s!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('account_account.name, account_journal.name and product_template.name: nothing', () => {
    const accounts = ['Bank', 'Receivable', 'Payable', 'Product Sales', 'Cash', 'Bank Suspense Account', 'Outstanding Receipts', 'Current Assets', 'Tax Paid', 'Tax Received', 'Cost of Goods Sold', 'Expenses'];
    expect(classifyColumn(col('name', accounts, 'account_account'))).toEqual([]);
    expect(classifyColumn(col('name', ['Customer Invoices', 'Vendor Bills', 'Bank', 'Cash', 'Miscellaneous Operations', 'Exchange Difference'], 'account_journal'))).toEqual([]);
    // Even a product that happens to be named like a person is not enough on a product table.
    expect(classifyColumn(col('name', ['Office Chair', 'Large Desk', 'Emma Lamp', 'Corner Desk Right Sit', 'Customizable Desk', 'Drawer Black'], 'product_template'))).toEqual([]);
    expect(classifyColumn(col('name', ['Office Chair', 'Emma Lamp'], 'product_template'), { minConfidence: 0 }).every((s) => s.confidence < 0.3)).toBe(true);
  });

  it('account_move_line.debit (numeric): nothing, even when amounts look like phones or cards', () => {
    expect(classifyColumn(col('debit', ['1500.00', '0.00', '249.99', '0612345678', '4111111111111111', 1200.5, null], 'account_move_line', 'numeric'), { minConfidence: 0 })).toEqual([]);
    expect(classifyColumn(col('phone', ['0612345678', '0698765432'], 'res_partner', 'bigint'), { minConfidence: 0 })).toEqual([]);
  });

  it('date, time and boolean columns are never emails or names, whatever they are called', () => {
    expect(classifyColumn(col('email', [true, false], 'res_partner', 'boolean'), { minConfidence: 0 })).toEqual([]);
    expect(classifyColumn(col('name', [new Date(0)], 'res_partner', 'timestamp without time zone'), { minConfidence: 0 })).toEqual([]);
    expect(classifyColumn(col('name', [1, 2, 3], 'res_partner', 'INTEGER'), { minConfidence: 0 })).toEqual([]);
  });

  it('a column named phone with only empty and null values: a name-only suggestion at moderate confidence', () => {
    const out = classifyColumn(col('phone', [null, '', '  ', undefined, null], 'res_partner'));
    expect(out).toEqual([
      { tag: 'pii:phone', confidence: 0.55, basis: 'name', matched: 0, sampled: 0, reason: 'The column name "phone" suggests a phone number; no non-null values were sampled' },
    ]);
  });

  it('when there are enough values, they outweigh the name', () => {
    const notes = Array.from({ length: 20 }, (_, i) => `call back after ${i + 1} pm`);
    expect(classifyColumn(col('phone', notes, 'res_partner'), { minConfidence: 0 })).toEqual([]);
    // A few values leave the name some say.
    const [few] = classifyColumn(col('phone', ['see mobile', '+33 1 23 45 67 89'], 'res_partner'));
    expect(few).toMatchObject({ tag: 'pii:phone', basis: 'name+values', matched: 1, sampled: 2 });
  });

  it('phones in national and international formats', () => {
    const phones = ['+33 1 23 45 67 89', '0612345678', '(555) 123-4567', '+49 30 1234567', '06 12 34 56 78', '+32 2 123 45 67', '+31 20 123 4567', '555-987-6543', '+44 20 7946 0958', '0033 6 12 34 56 78'];
    const [s] = classifyColumn(col('mobile', phones, 'res_partner'));
    expect(s).toMatchObject({ tag: 'pii:phone', matched: 10, sampled: 10 });
    expect(s!.confidence).toBeGreaterThanOrEqual(0.85);
  });

  it('card numbers are found by Luhn and issuer prefix even under an unhelpful name', () => {
    const [s] = classifyColumn(col('x_studio_ref', CARDS, 'sale_order'));
    expect(s).toMatchObject({ tag: 'pii:card_number', basis: 'values', matched: 10, sampled: 10 });
    expect(s!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(s!.reason).toContain('(Luhn checked: 3 Mastercard, 3 Visa, 2 Amex, 2 Discover)');
    // The same shapes with a failing Luhn digit are not cards.
    const broken = CARDS.map((c) => c.slice(0, -1) + String((Number(c.slice(-1)) + 1) % 10));
    expect(classifyColumn(col('x_studio_ref', broken, 'sale_order'), { minConfidence: 0 })).toEqual([]);
  });

  it('a 10 MB value is looked at only in part and returns quickly', () => {
    const huge = `${'jane.doe@example.com'}${' '.repeat(10_000_000)}`;
    const values = [huge, 'x'.repeat(10_000_000), ...EMAILS];
    const t0 = performance.now();
    const [s] = classifyColumn(col('email', values, 'res_partner'));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s).toMatchObject({ tag: 'pii:email', matched: EMAILS.length, sampled: EMAILS.length + 2 });
  });

  it('looks at no more than 1,000 values', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com`);
    expect(classifyColumn(col('email', values))[0]).toMatchObject({ matched: 1000, sampled: 1000 });
  });

  it('reads non-string values sensibly and survives odd ones', () => {
    const values = [12, 12n, true, new Date(0), Buffer.from('jane@example.com'), { email: 'jane@example.com' }, ['a'], Symbol('x'), NaN, ...EMAILS];
    const [s] = classifyColumn(col('contact', values, 'res_partner', 'jsonb'));
    expect(s).toMatchObject({ tag: 'pii:email', matched: EMAILS.length, sampled: EMAILS.length + 9 });
  });

  it('filters by minConfidence and sorts by confidence, highest first', () => {
    // A free-text contact column: mostly e-mails, some phone numbers.
    const values = [...EMAILS, '+33 1 23 45 67 89', '0612345678', '(555) 123-4567', '+49 30 1234567'];
    const all = classifyColumn(col('contact', values, 'res_partner'), { minConfidence: 0 });
    expect(all.map((s) => s.tag)).toEqual(['pii:email', 'pii:phone']);
    expect(all[0]!.confidence).toBeGreaterThan(all[1]!.confidence);
    for (const s of all) expect(Math.round(s.confidence * 100) / 100).toBe(s.confidence);
    expect(classifyColumn(col('contact', values, 'res_partner'))).toHaveLength(1);
    expect(classifyColumn(col('contact', values, 'res_partner'), { minConfidence: 0.99 })).toEqual([]);
    expect(classifyColumn(col('phone', []), { minConfidence: 0.6 })).toEqual([]);
  });

  it('only ever suggests the published tags', () => {
    expect(PII_TAGS).toEqual(['pii:email', 'pii:phone', 'pii:iban', 'pii:tax_id', 'pii:person_name', 'pii:card_number']);
    const columns = [col('email', EMAILS), col('vat', VATS), col('iban', IBANS), col('name', PEOPLE), col('card', CARDS), col('mobile', [])];
    for (const c of columns) for (const s of classifyColumn(c, { minConfidence: 0 })) expect(PII_TAGS).toContain(s.tag);
  });
});
