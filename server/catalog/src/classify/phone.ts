/**
 * Telephone numbers: E.164 (`+33123456789`, `+1 (555) 123-4567`), the
 * international `00` prefix, national numbers with a trunk `0`
 * (`0612345678`, `06 12 34 56 78`, `030 1234567`) and formatted numbers
 * without one (`(555) 123-4567`, `555-123-4567`).
 *
 * A bare run of digits without `+` or a leading `0` is not taken: in a
 * finance database that is far more often an id, a reference or an amount.
 * Dates, decimal amounts, dotted thousands, and the US SSN/EIN shapes are
 * refused; E.164 caps a number at 15 digits.
 */
const ALLOWED = /^\+?[\d\s().\-/]+$/;
const EXTENSION = /\s*(?:ext\.?|x|#|poste)\s*\d{1,6}$/i;
const NOT_PHONES: readonly RegExp[] = [
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/, // 2024-01-31
  /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/, // 31/01/2024
  /^\d+\.\d{1,2}$/, // 12345.67
  /^\d{3}-\d{2}-\d{4}$/, // US SSN
  /^\d{2}-\d{7}$/, // US EIN
];
const THOUSANDS = /^\d{1,3}(?:[.\s]\d{3})+$/; // 1.234.567 or 1 234 567: an amount or a count

export function isPhoneNumber(text: string): boolean {
  if (text.length > 40) return false;
  const s = text.replace(EXTENSION, '');
  if (!ALLOWED.test(s)) return false;
  const digits = s.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (/^(\d)\1*$/.test(digits)) return false;
  if (NOT_PHONES.some((re) => re.test(s))) return false;
  if (!balancedParentheses(s)) return false;
  if (s.startsWith('+')) return digits[0] !== '0' && digits.length >= 8;
  if (digits.startsWith('00')) return digits[2] !== '0' && digits.length >= 10;
  if (digits.startsWith('0')) return digits.length >= 9 && digits.length <= 12;
  // Without + or a trunk 0: only formatted numbers in short groups (NANP and the like).
  const groups = s.split(/[\s().\-/]+/).filter((g) => g !== '');
  if (THOUSANDS.test(s)) return false;
  return digits.length <= 11 && groups.length >= 2 && groups.every((g) => g.length <= 4);
}

function balancedParentheses(s: string): boolean {
  const open = s.split('(').length - 1;
  const close = s.split(')').length - 1;
  if (open === 0 && close === 0) return true;
  return open === 1 && close === 1 && /\(\d{1,5}\)/.test(s);
}
