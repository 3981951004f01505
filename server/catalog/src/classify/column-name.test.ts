/** What column and table names say, in the spellings Odoo and hand-made schemas use. */
import { nameHint, nameTokens, notPeopleToken, tableKind } from './column-name';

describe('column names', () => {
  it('splits snake, camel and kebab case and drops accents', () => {
    expect(nameTokens('accHolderName')).toEqual(['acc', 'holder', 'name']);
    expect(nameTokens('E-Mail')).toEqual(['e', 'mail']);
    expect(nameTokens('Téléphone_Portable')).toEqual(['telephone', 'portable']);
  });

  it.each([
    ['email', 'email'],
    ['email', 'email_from'],
    ['email', 'e_mail'],
    ['email', 'EMailAddress'],
    ['email', 'courriel'],
    ['phone', 'phone'],
    ['phone', 'mobile'],
    ['phone', 'tel'],
    ['phone', 'fax'],
    ['phone', 'phone_sanitized'],
    ['iban', 'iban'],
    ['iban', 'acc_number'],
    ['iban', 'bank_account'],
    ['tax_id', 'vat'],
    ['tax_id', 'company_registry'],
    ['tax_id', 'siret'],
    ['tax_id', 'ssn'],
    ['person_name', 'first_name'],
    ['person_name', 'acc_holder_name'],
    ['person_name', 'partner_name'],
    ['card_number', 'card_number'],
    ['card_number', 'creditCard'],
  ] as const)('%s: "%s" hints at it', (cls, name) => {
    expect(nameHint(cls, name)?.strength).toBeGreaterThanOrEqual(0.5);
  });

  it.each([
    ['email', 'email_count'],
    ['email', 'mail_template_id'],
    ['phone', 'hotel'],
    ['phone', 'phone_code'],
    ['iban', 'bank_account_id'],
    ['iban', 'acc_holder_name'],
    ['tax_id', 'tax_amount'],
    ['tax_id', 'vat_rate'],
    ['card_number', 'card_type'],
    ['person_name', 'partner_id'],
    ['card_number', 'acc_number'],
  ] as const)('%s: "%s" does not', (cls, name) => {
    expect(nameHint(cls, name)).toBeNull();
  });

  it('gives a generic "name" only a weak hint, and carries what a bare tax id should be', () => {
    expect(nameHint('person_name', 'name')?.strength).toBeLessThan(0.5);
    expect(nameHint('tax_id', 'siren')?.bare).toBe('siren');
    expect(nameHint('tax_id', 'vat')?.bare).toBeUndefined();
  });

  it('tells tables about people from tables that are clearly not', () => {
    expect(tableKind('res_partner')).toBe('people');
    expect(tableKind('res_partner_bank')).toBe('people');
    expect(tableKind('public.hr_employee')).toBe('people');
    expect(tableKind('account_account')).toBe('not_people');
    expect(tableKind('product_template')).toBe('not_people');
    expect(tableKind('account_journal')).toBe('not_people');
    expect(tableKind('sales_2024')).toBe('neutral');
    expect(tableKind(undefined)).toBe('neutral');
    expect(notPeopleToken('product_name')).toBe('product');
    expect(notPeopleToken('full_name')).toBeNull();
  });
});
