/**
 * Payment card numbers (PANs): 13-19 digits, optionally grouped with spaces
 * or dashes, starting with a known issuer prefix (IIN) at a length that
 * issuer uses, and passing the Luhn check (ISO/IEC 7812-1).
 */
export type CardIssuer = 'Visa' | 'Mastercard' | 'Amex' | 'Discover';

const SHAPE = /^\d(?:[ -]?\d){12,18}$/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function cardIssuer(digits: string): CardIssuer | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19 ? 'Visa' : null;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? 'Mastercard' : null;
  if (p2 === 34 || p2 === 37) return n === 15 ? 'Amex' : null;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19 ? 'Discover' : null;
  return null;
}

/**
 * The issuer and whether the Luhn check passes, for a number with a known
 * issuer's prefix and length; null for anything else.
 */
export function checkCardNumber(text: string): { issuer: CardIssuer; luhn: boolean } | null {
  if (text.length > 40 || !SHAPE.test(text)) return null;
  const digits = text.replace(/[ -]/g, '');
  const issuer = cardIssuer(digits);
  return issuer ? { issuer, luhn: luhnValid(digits) } : null;
}
