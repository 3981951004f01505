/**
 * What the index extracts from a document: its normalised name and
 * qualified name, its words with the fields they occur in, and the lookup
 * keys of the tables it references. Removal re-derives the same values from
 * the stored copy, so nothing per document beyond that copy is kept.
 */
import { IN_CONTEXT, IN_DESCRIPTION, IN_NAME, IN_TAGS, IN_TERMS } from './scoring';
import { fold, words } from './tokenize';
import type { SearchDoc } from './types';

export const MAX_DESCRIPTION_WORDS = 256;

const SPACE = /\s/;

/** Folded, inner whitespace collapsed to one space, trimmed. */
export function normalizeName(text: string): string {
  const folded = fold(text);
  return SPACE.test(folded) ? folded.replace(/\s+/g, ' ').trim() : folded;
}

/**
 * The document's words in `out` (repeats kept) and, in `bits`, the field each
 * occurrence is in; returns the name's length in word characters (at least
 * 1), the denominator of a word's coverage. The buffers are reused.
 */
export function docWords(doc: SearchDoc, out: string[], bits: number[]): number {
  out.length = 0;
  bits.length = 0;
  words(doc.name, out);
  let nameLength = 0;
  for (const w of out) nameLength += w.length;
  mark(out, bits, IN_NAME);
  const { qualified } = doc;
  words(qualified.endsWith(doc.name) ? qualified.slice(0, qualified.length - doc.name.length) : qualified, out);
  mark(out, bits, IN_CONTEXT);
  if (doc.tags) for (const tag of doc.tags) words(tag, out);
  mark(out, bits, IN_TAGS);
  if (doc.terms) for (const term of doc.terms) words(term, out);
  mark(out, bits, IN_TERMS);
  if (doc.description) {
    const start = out.length;
    words(doc.description, out);
    if (out.length - start > MAX_DESCRIPTION_WORDS) out.length = start + MAX_DESCRIPTION_WORDS;
    mark(out, bits, IN_DESCRIPTION);
  }
  return Math.max(1, nameLength);
}

function mark(out: readonly string[], bits: number[], bit: number): void {
  for (let i = bits.length; i < out.length; i++) bits.push(bit);
}

/**
 * The texts that name a referenced table, for "a query that exactly names a
 * table also returns the notebooks referencing it" even when that table is
 * not (yet) indexed: the id itself, and the dot-suffixes of the dotted name
 * it encodes, for ids shaped `kind:source:schema.table` or
 * `kind:["source","schema","table"]` (`odoo.public.account_move_line`,
 * `public.account_move_line`, `account_move_line`).
 */
export function referenceKeys(ref: string): string[] {
  const keys = new Set<string>([normalizeName(ref)]);
  const colon = ref.indexOf(':');
  const body = colon >= 0 ? ref.slice(colon + 1) : ref;
  let path = body;
  if (body.startsWith('[')) {
    try {
      const parts: unknown = JSON.parse(body);
      if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) path = parts.join('.');
    } catch {
      // Not a JSON key: use it as written.
    }
  } else {
    const sep = body.indexOf(':');
    if (sep >= 0) path = `${body.slice(0, sep)}.${body.slice(sep + 1)}`;
  }
  path = normalizeName(path);
  if (path) keys.add(path);
  for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', dot + 1)) {
    const suffix = path.slice(dot + 1);
    if (suffix) keys.add(suffix);
  }
  return [...keys];
}

function copyList(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const copy = list.slice();
  Object.freeze(copy);
  return copy;
}

/** The index's own frozen copy: later changes to the caller's object cannot make it stale. */
export function copyDoc(doc: SearchDoc): SearchDoc {
  const copy: SearchDoc = { id: doc.id, kind: doc.kind, name: doc.name, qualified: doc.qualified };
  if (doc.description !== undefined) copy.description = doc.description;
  if (doc.tags !== undefined) copy.tags = copyList(doc.tags);
  if (doc.terms !== undefined) copy.terms = copyList(doc.terms);
  if (doc.parent !== undefined) copy.parent = doc.parent;
  if (doc.source !== undefined) copy.source = doc.source;
  if (doc.references !== undefined) copy.references = copyList(doc.references);
  if (doc.popularity !== undefined) copy.popularity = doc.popularity;
  return Object.freeze(copy);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  const la = a?.length ?? 0;
  if (la !== (b?.length ?? 0)) return false;
  for (let i = 0; i < la; i++) if (a![i] !== b![i]) return false;
  return true;
}

/** Whether two versions index the same words and keys (kind, source, parent and popularity are not indexed). */
export function sameIndexedText(a: SearchDoc, b: SearchDoc): boolean {
  return (
    a.name === b.name &&
    a.qualified === b.qualified &&
    (a.description ?? '') === (b.description ?? '') &&
    sameList(a.tags, b.tags) &&
    sameList(a.terms, b.terms) &&
    sameList(a.references, b.references)
  );
}
