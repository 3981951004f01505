/**
 * IBANs (ISO 13616): two-letter country, two check digits, a BBAN whose
 * length is fixed per country, and mod-97 of the rearranged number == 1
 * (ISO 7064 MOD 97-10). Spaces are allowed, as people type them; letters
 * may be lower case.
 *
 * Lengths from the SWIFT IBAN registry: every SEPA country (EU/EEA, CH,
 * GB, MC, SM, VA, AD, and the 2024-25 joiners AL, ME, MD, MK, RS) and the
 * other countries that issue IBANs. French overseas departments and
 * territories, Jersey, Guernsey and the Isle of Man use FR and GB.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
});

/** ISO 7064 MOD 97-10 remainder of digits and upper-case letters (A=10 … Z=35). */
export function mod97(alnum: string): number {
  let r = 0;
  for (const ch of alnum) {
    const code = ch.charCodeAt(0);
    if (code >= 48 && code <= 57) r = (r * 10 + (code - 48)) % 97;
    else r = (r * 100 + (code - 55)) % 97;
  }
  return r;
}

const SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/**
 * 'valid' when the country, length and check digits are right; 'bad_check'
 * when it has the shape and length of a known country's IBAN but mod-97
 * fails (a typo, or a made-up number); null when it is not IBAN-shaped.
 */
export function checkIban(text: string): 'valid' | 'bad_check' | null {
  if (text.length > 48) return null;
  const s = text.replace(/ /g, '').toUpperCase();
  if (!SHAPE.test(s) || IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return null;
  return mod97(s.slice(4) + s.slice(0, 4)) === 1 ? 'valid' : 'bad_check';
}

export function isValidIban(text: string): boolean {
  return checkIban(text) === 'valid';
}
