/**
 * Whether a value looks like a person's name: 2-4 capitalised words of
 * letters (accents, hyphens and apostrophes allowed; lower-case particles
 * such as "van", "de", "von" and initials such as "J." allowed between
 * them; a leading title dropped), optionally "Surname, Given" or
 * "SURNAME Given". A legal-form suffix or company word ("SARL", "GmbH",
 * "Holding") or "&" in a value of two or more words makes it a company.
 *
 * - 'given_name': the shape fits and the given name is a common one.
 * - 'name_shape': the shape fits, nothing more (also true of "Product Sales").
 * - 'company':    a legal-form suffix, company word or "&" is present.
 * - 'none':       anything else.
 */
import { foldName, isGivenName } from './given-names';

export type NameShape = 'given_name' | 'name_shape' | 'company' | 'none';

const COMPANY_WORDS = new Set(
  `sa sarl sas sasu eurl sci snc scop gmbh ag kg ohg ug gbr ev ltd limited plc llp llc inc incorporated corp
   corporation co company bv nv vof bvba sprl srl spa sl slu oy oyj ab as asa aps kft zrt sro doo ooo pty
   group groupe gruppe holding holdings international industries services solutions consulting partners
   associates foundation association bank banque university`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'mme', 'mlle', 'm', 'herr', 'frau', 'sr', 'sra', 'sig', 'dott']);
const PARTICLES = new Set(['de', 'da', 'di', 'del', 'della', 'der', 'den', 'van', 'von', 'du', 'des', 'la', 'le', 'dos', 'das', 'do', 'ten', 'ter', 'y', 'bin', 'ibn', 'al', 'el', 'zu', 'af', 'av', 'op']);

const WORD = /^\p{Lu}[\p{L}\p{M}]*(?:['-]\p{L}[\p{L}\p{M}]*)*$/u;
const ELIDED = /^[dl]'\p{Lu}[\p{L}\p{M}]*$/u; // d'Artagnan
const INITIAL = /^\p{Lu}\.$/u;
const UPPER = /^[\p{Lu}\p{M}'-]{2,}$/u;

export function personNameShape(text: string): NameShape {
  if (text.length > 100) return 'none';
  const s = text.normalize('NFC').replace(/[’‘`]/g, "'");
  const raw = s.split(/\s+/);
  if (raw.length >= 2 && (s.includes('&') || raw.some((w) => COMPANY_WORDS.has(foldName(w).replace(/[.,]/g, ''))))) return 'company';
  if (s.split(',').length > 2) return 'none';
  const comma = s.indexOf(',');
  let words = comma < 0 ? raw : [...split(s.slice(comma + 1)), ...split(s.slice(0, comma))]; // "Dupont, Jean" -> Jean Dupont
  if (words.length > 2 && TITLES.has(foldName(words[0]!).replace(/\.$/, ''))) words = words.slice(1);
  if (words.length > 7) return 'none';
  let core = 0;
  for (const [i, w] of words.entries()) {
    if (PARTICLES.has(w) && i > 0 && i < words.length - 1) continue;
    if (!WORD.test(w) && !ELIDED.test(w) && !INITIAL.test(w)) return 'none';
    core++;
  }
  if (core < 2 || core > 4 || words.every((w) => INITIAL.test(w) || PARTICLES.has(w))) return 'none';
  const first = words[0]!;
  if (isGivenName(first)) return 'given_name';
  if (comma < 0 && UPPER.test(first) && words.slice(1).some((w) => !UPPER.test(w) && isGivenName(w))) return 'given_name'; // DUPONT Jean
  return 'name_shape';
}

function split(part: string): string[] {
  return part.split(/\s+/).filter((w) => w !== '');
}
