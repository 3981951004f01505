/**
 * Which Odoo partner sent a bill: by VAT number first (the same tax id,
 * compared without spaces, dots, dashes and case, with or without the
 * country prefix), then by the exact name (case, punctuation and legal
 * suffixes such as "Ltd", "GmbH", "S.A." ignored), then by a fuzzy name
 * (Sørensen–Dice over character bigrams of the normalised names, at least
 * FUZZY_MIN). The score says how sure: 1 for VAT, 0.97 for the exact name,
 * the similarity for a fuzzy one. Two partners equally good is no match
 * (the reviewer picks).
 */
export interface Partner {
  id: number;
  name: string;
  vat: string | null;
}

export interface VendorMatch {
  partnerId: number;
  name: string;
  method: 'vat' | 'exact' | 'fuzzy' | 'chosen';
  score: number;
}

export const FUZZY_MIN = 0.8;

const LEGAL = new Set(['inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'plc', 'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'kg', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'sl', 'pte', 'pty', 'the']);

export function normaliseName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  const kept = words.filter((w) => !LEGAL.has(w));
  return (kept.length > 0 ? kept : words).join(' ');
}

export function normaliseVat(vat: string): string {
  return vat.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const vatDigits = (v: string) => v.replace(/^[A-Z]{2}(?=\d)/, '');

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  const t = ` ${s} `;
  for (let i = 0; i < t.length - 1; i++) {
    const g = t.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Sørensen–Dice coefficient of two strings' character bigrams (0..1). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const A = bigrams(a);
  const B = bigrams(b);
  let both = 0;
  let total = 0;
  for (const [g, n] of A) {
    both += Math.min(n, B.get(g) ?? 0);
    total += n;
  }
  for (const n of B.values()) total += n;
  return total === 0 ? 0 : (2 * both) / total;
}

export function matchVendor(vendor: string | null | undefined, vat: string | null | undefined, partners: readonly Partner[]): VendorMatch | undefined {
  if (vat) {
    const v = normaliseVat(vat);
    const hits = v.length >= 5 ? partners.filter((p) => p.vat && (normaliseVat(p.vat) === v || vatDigits(normaliseVat(p.vat)) === vatDigits(v))) : [];
    if (hits.length === 1) return { partnerId: hits[0]!.id, name: hits[0]!.name, method: 'vat', score: 1 };
  }
  if (!vendor) return undefined;
  const n = normaliseName(vendor);
  if (n === '') return undefined;
  const exact = partners.filter((p) => normaliseName(p.name) === n);
  if (exact.length === 1) return { partnerId: exact[0]!.id, name: exact[0]!.name, method: 'exact', score: 0.97 };
  if (exact.length > 1) return undefined;
  let best: { p: Partner; s: number } | undefined;
  let tie = false;
  for (const p of partners) {
    const s = similarity(n, normaliseName(p.name));
    if (!best || s > best.s) {
      best = { p, s };
      tie = false;
    } else if (s === best.s) tie = true;
  }
  if (!best || tie || best.s < FUZZY_MIN) return undefined;
  return { partnerId: best.p.id, name: best.p.name, method: 'fuzzy', score: Math.round(best.s * 1000) / 1000 };
}
