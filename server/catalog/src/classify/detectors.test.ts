/** Each value detector on its own: what it takes, what it refuses. */
import { checkCardNumber, luhnValid } from './card-number';
import { isEmailAddress } from './email';
import { checkIban, IBAN_LENGTHS, isValidIban } from './iban';
import { personNameShape } from './person-name';
import { isPhoneNumber } from './phone';
import { checkBareTaxId, checkTaxId } from './tax-id';

describe('email', () => {
  it.each(['jane.doe@example.com', 'j.dupont+factures@societe-generale.fr', 'Odoo Bot <odoobot@example.com>', 'müller@bücher.de', 'a@b.co', 'info@xn--bcher-kva.de'])('takes %s', (v) => {
    expect(isEmailAddress(v)).toBe(true);
  });
  it.each(['jane.doe@', '@example.com', 'jane..doe@example.com', 'jane@example', 'jane@-example.com', 'jane doe@example.com', 'not an email', 'a@b.c', `${'x'.repeat(65)}@example.com`, 'a@b@example.com'])('refuses %s', (v) => {
    expect(isEmailAddress(v)).toBe(false);
  });
});

describe('phone', () => {
  it.each(['+33 1 23 45 67 89', '+33123456789', '0612345678', '06 12 34 56 78', '06.12.34.56.78', '(555) 123-4567', '555-123-4567', '+1 (555) 123-4567', '+49 30 1234567', '0044 20 7946 0958', '+44 (0)20 7946 0958', '030 1234567', '555-123-4567 ext. 89'])('takes %s', (v) => {
    expect(isPhoneNumber(v)).toBe(true);
  });
  it.each([
    ['2024-01-31', 'a date'],
    ['31/01/2024', 'a date'],
    ['1234567890', 'a bare id'],
    ['12345.67', 'an amount'],
    ['1.234.567', 'an amount with thousands'],
    ['1 234 567', 'an amount with thousands'],
    ['123-45-6789', 'an SSN'],
    ['12-3456789', 'an EIN'],
    ['123456', 'too short'],
    ['0000000000', 'one digit repeated'],
    ['4111 1111 1111 1111', 'a card number'],
    ['+0 123 456 789', 'a country code of 0'],
    ['call me', 'words'],
  ])('refuses %s (%s)', (v) => {
    expect(isPhoneNumber(v)).toBe(false);
  });
});

describe('iban', () => {
  const valid = ['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'BE68539007547034', 'NL91ABNA0417164300', 'ES9121000418450200051332', 'IT60X0542811101000000123456', 'LU280019400644750000', 'CH9300762011623852957', 'AT611904300234573201', 'NO9386011117947', 'PT50000201231234567890154', 'IE29AIBK93115212345678', 'FI2112345600000785'];
  it.each(valid)('takes %s', (v) => expect(checkIban(v)).toBe('valid'));

  it('allows spaces and lower case, as people type them', () => {
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(isValidIban('de89 3704 0044 0532 0130 00')).toBe(true);
  });

  it('tells a wrong check from a non-IBAN', () => {
    expect(checkIban('DE89370400440532013001')).toBe('bad_check');
    expect(checkIban('DE8937040044053201300')).toBe(null); // one short for DE
    expect(checkIban('XX89370400440532013000')).toBe(null); // no such country
    expect(checkIban('INV/2024/00012')).toBe(null);
  });

  it('knows the length of every SEPA country', () => {
    const sepa = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO CH GB MC SM VA AD AL ME MD MK RS'.split(' ');
    expect(sepa.filter((c) => IBAN_LENGTHS[c] === undefined)).toEqual([]);
  });
});

describe('tax id', () => {
  it.each([
    ['FR40303265045', 'FR VAT'],
    ['FR 40 303 265 045', 'FR VAT'],
    ['BE0477472701', 'BE VAT'],
    ['BE 0477.472.701', 'BE VAT'],
    ['DE136695976', 'DE VAT'],
    ['IT00743110157', 'IT VAT'],
    ['LU15027442', 'LU VAT'],
    ['NL004495445B01', 'NL VAT'],
    ['GB980780684', 'GB VAT'],
    ['ESA13585625', 'ES VAT'],
    ['CHE-123.456.788 MWST', 'CH VAT'],
    ['12-3456789', 'US EIN'],
    ['123-45-6789', 'US SSN'],
  ])('takes %s as %s', (v, kind) => {
    expect(checkTaxId(v)).toMatchObject({ kind, valid: true });
  });

  it.each(['FR41303265045', 'BE0477472702', 'DE136695977', 'IT00743110158', 'LU15027443', 'GB980780685', '000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '07-1234567'])('sees the wrong check digit or unissued number in %s', (v) => {
    expect(checkTaxId(v)).toMatchObject({ valid: false });
  });

  it.each(['hello', 'FR123', 'ZZ123456789', '2024-01-31', 'DE12345678'])('ignores %s', (v) => {
    expect(checkTaxId(v)).toBeNull();
  });

  it('takes bare SIREN, SIRET and SSN only when asked to', () => {
    expect(checkTaxId('732829320')).toBeNull();
    expect(checkBareTaxId('732 829 320', 'siren')).toMatchObject({ kind: 'FR SIREN', valid: true });
    expect(checkBareTaxId('73282932000074', 'siret')).toMatchObject({ kind: 'FR SIRET', valid: true });
    expect(checkBareTaxId('732829321', 'siren')).toMatchObject({ valid: false });
    expect(checkBareTaxId('732829320', 'siret')).toBeNull();
    expect(checkBareTaxId('123456789', 'ssn')).toMatchObject({ kind: 'US SSN', valid: true });
  });
});

describe('card number', () => {
  it.each([
    ['4111 1111 1111 1111', 'Visa'],
    ['5500-0000-0000-0004', 'Mastercard'],
    ['2221000000000009', 'Mastercard'],
    ['378282246310005', 'Amex'],
    ['6011111111111117', 'Discover'],
    ['6500000000000002', 'Discover'],
  ])('takes %s (%s)', (v, issuer) => {
    expect(checkCardNumber(v)).toEqual({ issuer, luhn: true });
  });

  it('sees a failed Luhn check', () => {
    expect(checkCardNumber('4111111111111112')).toEqual({ issuer: 'Visa', luhn: false });
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });

  it.each(['1234567890123456', '4111 1111 1111', '411111111111111', '4111--1111-1111-1111', '9111111111111111'])('ignores %s (no issuer, wrong length or shape)', (v) => {
    expect(checkCardNumber(v)).toBeNull();
  });
});

describe('person name', () => {
  it.each(['Jean Dupont', 'Marie-Claire de la Fontaine', 'DUPONT Jean', 'Dupont, Jean', 'José Álvarez', 'Dr. Anna Schmidt', 'Mitchell Admin'])('%s starts with a known given name', (v) => {
    expect(personNameShape(v)).toBe('given_name');
  });
  it.each(["Aoife O'Brien-Kelly", 'Wood Corner', 'Product Sales', 'J. Smith', 'Xiang Wu', "Leclerc d'Artagnan"])('%s has a name shape only', (v) => {
    expect(personNameShape(v)).toBe('name_shape');
  });
  it.each(['Acme SA', 'Müller GmbH & Co. KG', 'Smith & Sons', 'Deco Addict S.A.R.L.', 'Azure Interior Ltd.', 'Ready Mat BV'])('%s is a company', (v) => {
    expect(personNameShape(v)).toBe('company');
  });
  it.each(['Bank', 'jean dupont', 'Jean 2 Dupont', 'Alpha Beta Gamma Delta Epsilon', 'INV/2024/0001', 'j.dupont@example.com'])('%s is not a name', (v) => {
    expect(personNameShape(v)).toBe('none');
  });
});
