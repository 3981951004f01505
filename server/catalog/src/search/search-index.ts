/**
 * In-memory search over catalog documents: tables, views, columns, notebooks
 * and glossary terms ("journal" finds `account_journal`, and `account_move_line`
 * described as "Journal Item"). Ranking: scoring.ts.
 *
 * Structures, all kept consistent by upsert/remove/removeWhere:
 * - documents in numbered slots (slots.ts);
 * - `vocab`: word -> posting of `slot << 5 | field bits` (inverted index),
 *   `sortedWords` for word-prefix lookups, `fuzzy` (bigrams) for typos;
 * - `names`: normalised name -> slots, `sortedNames` for name prefixes
 *   (qualified-name suffixes are checked against the slots of their last part);
 * - `refKeys` (dotted names a reference encodes) and `refIds` (referenced ids)
 *   -> slots of the notebooks referencing them.
 * Entries pointing at an emptied slot are skipped, swept out of a list once
 * they are a third of it, and all slots are renumbered once a third are
 * empty. A word, name or key with no document left leaves its maps at once.
 */
import { AllRounds, BestPerSlot } from './accumulators';
import { docWords, copyDoc, normalizeName, referenceKeys, sameIndexedText } from './doc-fields';
import { boundedDamerau, typoBudget } from './edit-distance';
import { FuzzyIndex, type FuzzyEntry } from './fuzzy-index';
import { compareCandidates, matched, type Candidate } from './hits';
import { parseQuery, type QueryTerm } from './query';
import * as S from './scoring';
import { SlotStore } from './slots';
import { SortedKeys } from './sorted-keys';
import { fold } from './tokenize';
import { TopK } from './top-k';
import type { SearchDoc, SearchHit, SearchKind, SearchOptions } from './types';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
const BITS = 5;
const BIT_MASK = 31;
/** `slot << 5` must stay a 31-bit integer. */
const MAX_SLOTS = 1 << 26;
/** Dead entries a list may carry before it is swept (and a third of it). */
const SWEEP_AT = 16;
const RENUMBER_AT = 1024;
/** removeWhere of at least this many, and an eighth of the documents, rebuilds the lists in one pass. */
const BULK_REMOVAL = 256;
/**
 * Shorter query words only match whole words (and whole names by prefix),
 * except in the last term of a multi-term query, still being typed
 * ("account m"), where the other terms keep the candidates few.
 */
const MIN_WORD_PREFIX = 2;
const DIGITS = /^\p{N}+$/u;
const NONE: readonly string[] = [];

/** A word and where it occurs. */
class Posting implements FuzzyEntry {
  entries: number[] = [];
  live = 0;
  dead = 0;
  /** Scratch for removal: the removal that last counted this word. */
  removal = 0;
  alive = true;
  fzStamp = 0;
  fzCount = 0;
  constructor(readonly text: string) {}
}

/** The slots under one name or reference key. */
class SlotList {
  slots: number[] = [];
  live = 0;
  dead = 0;
}

/** Per-query scratch, reused across queries (search is synchronous). */
class Scratch {
  readonly term = new BestPerSlot();
  readonly word = new BestPerSlot();
  readonly words = new AllRounds();
  readonly docs = new AllRounds();
  /** Texts that `ref` values of this query's matches point at. */
  texts: string[] = [];

  text(t: string): number {
    return this.texts.push(t) - 1;
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_LIMIT;
  return Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
}

/** Sweep a list once its dead entries are a third of it. */
function needsSweep(live: number, dead: number): boolean {
  return dead > SWEEP_AT && dead * 2 > live;
}

export class SearchIndex {
  private readonly docs = new SlotStore();
  private readonly vocab = new Map<string, Posting>();
  private readonly sortedWords = new SortedKeys();
  private readonly fuzzy = new FuzzyIndex<Posting>();
  private readonly names = new Map<string, SlotList>();
  private readonly sortedNames = new SortedKeys();
  private readonly refKeys = new Map<string, SlotList>();
  private readonly refIds = new Map<string, SlotList>();
  private readonly wordBuffer: string[] = [];
  private readonly bitBuffer: number[] = [];
  private removals = 0;
  private scratch: Scratch | undefined;

  get size(): number {
    return this.docs.size;
  }

  /** The index's (frozen) copy of a document. */
  get(id: string): SearchDoc | undefined {
    const slot = this.docs.slotOf(id);
    return slot === undefined ? undefined : this.docs.at(slot)!.doc;
  }

  /** Adds a document, or replaces the one with the same id. */
  upsert(doc: SearchDoc): void {
    const stored = copyDoc(doc);
    const slot = this.docs.slotOf(doc.id);
    if (slot !== undefined) {
      if (sameIndexedText(this.docs.at(slot)!.doc, stored)) {
        this.docs.replace(slot, stored);
        return;
      }
      this.removeSlot(slot);
    }
    this.add(stored);
    this.maybeRenumber();
  }

  remove(id: string): void {
    const slot = this.docs.slotOf(id);
    if (slot === undefined) return;
    this.removeSlot(slot);
    this.maybeRenumber();
  }

  /**
   * Removes every document `pred` accepts (e.g. all of one source before its
   * refresh); returns how many. Removing many at once empties their slots and
   * rebuilds every list in one pass instead of visiting their words one by one.
   */
  removeWhere(pred: (doc: SearchDoc) => boolean): number {
    const doomed: number[] = [];
    for (let s = 0; s < this.docs.length; s++) {
      const entry = this.docs.at(s);
      if (entry && pred(entry.doc)) doomed.push(s);
    }
    if (doomed.length >= BULK_REMOVAL && doomed.length * 8 >= this.docs.size) {
      for (const s of doomed) this.docs.free(s);
      this.renumber();
      return doomed.length;
    }
    for (const s of doomed) this.removeSlot(s);
    this.maybeRenumber();
    return doomed.length;
  }

  /** Ranked hits for `query`; [] for an empty or blank query. Never throws on long input: it is trimmed. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = clampLimit(options.limit);
    const parsed = limit > 0 && this.docs.size > 0 ? parseQuery(query) : undefined;
    if (!parsed) return [];
    const sc = (this.scratch ??= new Scratch());
    sc.texts = [];
    const capacity = this.docs.length;
    sc.docs.begin(capacity);
    const { terms } = parsed;
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      sc.term.begin(capacity);
      this.matchWholeTerm(term.forms, sc);
      // A name with spaces (`General Ledger`) is matched by the whole query.
      if (terms.length > 1) this.matchWholeTerm([parsed.phrase], sc);
      this.matchWords(term, sc, capacity, i > 0 && i === terms.length - 1 ? 1 : MIN_WORD_PREFIX);
      this.matchNameTypo(term, sc);
      if (sc.docs.merge(i, sc.term) === 0) return [];
    }
    return this.rank(terms.length, options, limit, sc);
  }

  private add(doc: SearchDoc): void {
    if (this.docs.length >= MAX_SLOTS) this.renumber();
    if (this.docs.length >= MAX_SLOTS) throw new RangeError(`Cannot index ${doc.id}: the index is full (${MAX_SLOTS} documents)`);
    const ws = this.wordBuffer;
    const bits = this.bitBuffer;
    const nameLength = docWords(doc, ws, bits);
    const name = normalizeName(doc.name);
    const slot = this.docs.add(doc, name, normalizeName(doc.qualified), nameLength);
    for (let i = 0; i < ws.length; i++) {
      let p = this.vocab.get(ws[i]!);
      if (!p) {
        p = new Posting(ws[i]!);
        this.vocab.set(p.text, p);
        this.sortedWords.add(p.text);
        this.fuzzy.add(p);
      }
      // This document's entry, if the word occurred already, is the last one.
      const entries = p.entries;
      const last = entries.length - 1;
      if (last >= 0 && entries[last]! >>> BITS === slot) {
        entries[last] = entries[last]! | bits[i]!;
      } else {
        entries.push((slot << BITS) | bits[i]!);
        p.live++;
      }
    }
    if (this.addTo(this.names, name, slot)) this.sortedNames.add(name);
    if (!doc.references?.length) return;
    for (const key of referenceKeysOf(doc)) this.addTo(this.refKeys, key, slot);
    for (const id of new Set(doc.references)) this.addTo(this.refIds, id, slot);
  }

  private removeSlot(slot: number): void {
    const entry = this.docs.free(slot);
    const ws = this.wordBuffer;
    docWords(entry.doc, ws, this.bitBuffer);
    const removal = ++this.removals;
    for (let i = 0; i < ws.length; i++) {
      // A repeat of a word already counted (and maybe dropped) for this document.
      const p = this.vocab.get(ws[i]!);
      if (p === undefined || p.removal === removal) continue;
      p.removal = removal;
      p.live--;
      p.dead++;
      if (p.live === 0) {
        this.dropWord(p);
      } else if (needsSweep(p.live, p.dead)) {
        const alive = this.docs.alive;
        p.entries = p.entries.filter((x) => alive[x >>> BITS] === 1);
        p.dead = 0;
      }
    }
    if (this.removeFrom(this.names, entry.name)) this.sortedNames.delete(entry.name);
    if (!entry.doc.references?.length) return;
    for (const key of referenceKeysOf(entry.doc)) this.removeFrom(this.refKeys, key);
    for (const id of new Set(entry.doc.references)) this.removeFrom(this.refIds, id);
  }

  /** Returns true when the key is new. */
  private addTo(map: Map<string, SlotList>, key: string, slot: number): boolean {
    let list = map.get(key);
    const fresh = !list;
    if (!list) map.set(key, (list = new SlotList()));
    list.slots.push(slot);
    list.live++;
    return fresh;
  }

  /** Returns true when the key is gone. */
  private removeFrom(map: Map<string, SlotList>, key: string): boolean {
    const list = map.get(key)!;
    list.live--;
    list.dead++;
    if (list.live === 0) {
      map.delete(key);
      return true;
    }
    if (needsSweep(list.live, list.dead)) {
      const alive = this.docs.alive;
      list.slots = list.slots.filter((s) => alive[s] === 1);
      list.dead = 0;
    }
    return false;
  }

  /** Renumber once a third of the slots are empty: O(entries), after at least half as many removals. */
  private maybeRenumber(): void {
    const { emptied, size } = this.docs;
    if (emptied * 2 > size && (emptied > RENUMBER_AT || size === 0)) this.renumber();
  }

  private dropWord(p: Posting): void {
    this.vocab.delete(p.text);
    this.sortedWords.delete(p.text);
    p.alive = false;
    this.fuzzy.remove(p);
  }

  /**
   * Compacts the slots and rewrites every list without the emptied ones,
   * dropping words, names and keys left with no document (after a bulk
   * removal; after single removals there are none).
   */
  private renumber(): void {
    const map = this.docs.compact();
    for (const p of [...this.vocab.values()]) {
      const entries: number[] = [];
      for (const x of p.entries) {
        const n = map[x >>> BITS]!;
        if (n >= 0) entries.push((n << BITS) | (x & BIT_MASK));
      }
      p.entries = entries;
      p.live = entries.length;
      p.dead = 0;
      if (entries.length === 0) this.dropWord(p);
    }
    for (const [lists, sorted] of [[this.names, this.sortedNames], [this.refKeys], [this.refIds]] as const) {
      for (const [key, list] of [...lists]) {
        const slots: number[] = [];
        for (const s of list.slots) if (map[s]! >= 0) slots.push(map[s]!);
        list.slots = slots;
        list.live = slots.length;
        list.dead = 0;
        if (slots.length > 0) continue;
        lists.delete(key);
        sorted?.delete(key);
      }
    }
  }

  /** Matches of the term as a whole: name (exact, prefix), qualified-name suffix (exact, prefix), reference. */
  private matchWholeTerm(forms: readonly string[], sc: Scratch): void {
    const best = sc.term;
    const docs = this.docs;
    for (const t of forms) {
      this.forLive(this.names.get(t), (s) => this.offerExact(s, S.NAME_EXACT, S.F_NAME, sc));
      this.sortedNames.forEachWithPrefix(t, (name) => {
        if (name.length === t.length) return;
        const value = S.prefixValue(t.length, name.length);
        const columnValue = S.columnPrefixValue(t.length, name.length);
        this.forLive(this.names.get(name), (s) => best.offer(s, docs.at(s)!.doc.kind === 'column' ? columnValue : value, S.F_NAME, -1));
      });
      // `public.account_move`, `account_move.debit`, `account_move_line.de`: the part after
      // some dot is (the start of) a name, and what precedes it ends the qualified name's prefix.
      for (let dot = t.indexOf('.'); dot >= 0; dot = t.indexOf('.', dot + 1)) {
        const head = t.slice(0, dot + 1);
        const tail = t.slice(dot + 1);
        if (!tail) continue;
        const suffix = `.${t}`;
        this.forLive(this.names.get(tail), (s) => {
          const q = docs.at(s)!.qualified;
          if (q === t || q.endsWith(suffix)) this.offerExact(s, S.QUALIFIED_EXACT, S.F_QUALIFIED, sc);
        });
        this.sortedNames.forEachWithPrefix(tail, (name) => {
          if (name.length === tail.length) return;
          this.forLive(this.names.get(name), (s) => {
            const e = docs.at(s)!;
            const q = e.qualified;
            const start = q.length - e.name.length - head.length;
            if (start < 0 || !q.endsWith(e.name) || (start > 0 && q.charCodeAt(start - 1) !== 46) || !q.startsWith(head, start)) return;
            best.offer(s, S.prefixValue(t.length, q.length - start), S.F_QUALIFIED, -1);
          });
        });
      }
      const refs = this.refKeys.get(t);
      if (refs) {
        const ref = sc.text(t);
        this.forLive(refs, (s) => best.offer(s, S.REFERENCE, S.F_REFERENCES, ref));
      }
    }
  }

  /** An exact match, which also brings the notebooks referencing that document (a tag-class match). */
  private offerExact(slot: number, value: number, field: number, sc: Scratch): void {
    sc.term.offer(slot, value, field, -1);
    if (this.refIds.size === 0) return;
    const id = this.docs.at(slot)!.doc.id;
    const notebooks = this.refIds.get(id);
    if (!notebooks) return;
    const ref = sc.text(id);
    this.forLive(notebooks, (s) => sc.term.offer(s, S.REFERENCE, S.F_REFERENCES, ref));
  }

  /** Word matches: every word of the term must match, each in any field; the term is worth its weakest word. */
  private matchWords(term: QueryTerm, sc: Scratch, capacity: number, minPrefix: number): void {
    const ws = term.words;
    if (ws.length === 1) {
      this.matchWord(ws[0]!, sc.term, sc, minPrefix);
      return;
    }
    sc.words.begin(capacity);
    for (let j = 0; j < ws.length; j++) {
      sc.word.begin(capacity);
      this.matchWord(ws[j]!, sc.word, sc, j === ws.length - 1 ? minPrefix : MIN_WORD_PREFIX);
      if (sc.words.merge(j, sc.word) === 0) return;
    }
    const all = sc.words;
    for (let k = 0; k < all.count; k++) {
      const s = all.list[k]!;
      if (all.matchedAll(s, ws.length)) sc.term.offer(s, all.min[s]!, all.field[s]!, all.ref[s]!);
    }
  }

  /** One query word: the same word, words it starts, words within its typo budget. */
  private matchWord(w: string, out: BestPerSlot, sc: Scratch, minPrefix: number): void {
    const same = this.vocab.get(w);
    if (same) this.offerPosting(same, S.tokenValues('exact', w.length, w.length, 0), true, out, sc);
    if (w.length >= minPrefix) {
      this.sortedWords.forEachWithPrefix(w, (word) => {
        const p = word.length > w.length ? this.vocab.get(word) : undefined;
        if (p) this.offerPosting(p, S.tokenValues('prefix', w.length, word.length, 0), false, out, sc);
      });
    }
    const max = typoBudget(w.length);
    if (max > 0 && !DIGITS.test(w)) {
      this.fuzzy.forEachNear(w, max, (p, distance) => {
        if (!p.text.startsWith(w)) this.offerPosting(p, S.tokenValues('fuzzy', w.length, p.text.length, distance), false, out, sc);
      });
    }
  }

  private offerPosting(p: Posting, values: number[], withCoverage: boolean, out: BestPerSlot, sc: Scratch): void {
    const pick = S.bitForMask(values);
    const ref = sc.text(p.text);
    const { alive, nameLength } = this.docs;
    const entries = p.entries;
    const length = p.text.length;
    for (let i = 0; i < entries.length; i++) {
      const x = entries[i]!;
      const bit = pick[x & BIT_MASK]!;
      const s = x >>> BITS;
      if (bit < 0 || alive[s] === 0) continue;
      const value = bit === 0 && withCoverage ? values[0]! + S.coverage(length, nameLength[s]!) : values[bit]!;
      out.offer(s, value, S.BIT_FIELDS[bit]!, ref);
    }
  }

  /** `acount_move` is one typo from the name `account_move`: better than a typo in one of its words. */
  private matchNameTypo(term: QueryTerm, sc: Scratch): void {
    const t = term.core;
    const max = typoBudget(t.length);
    if (max === 0) return;
    const best = sc.term;
    for (let k = 0; k < best.count; k++) {
      const s = best.list[k]!;
      if (best.value[s]! >= S.DESCRIPTION) continue;
      const name = this.docs.at(s)!.name;
      if (Math.abs(name.length - t.length) <= max && boundedDamerau(t, name, max) <= max) best.offer(s, S.NAME_TYPO, S.F_NAME, -1);
    }
  }

  private forLive(list: SlotList | undefined, fn: (slot: number) => void): void {
    if (!list) return;
    const alive = this.docs.alive;
    for (const s of list.slots) if (alive[s] === 1) fn(s);
  }

  private rank(terms: number, options: SearchOptions, limit: number, sc: Scratch): SearchHit[] {
    const kinds = options.kinds?.length ? new Set<SearchKind>(options.kinds) : undefined;
    const source = options.source ? fold(options.source).trim() : undefined;
    const tags = options.tags?.length ? options.tags.map((t) => fold(t).trim()) : undefined;
    const filtered = kinds !== undefined || source !== undefined || tags !== undefined;
    const { docs } = sc;
    const bonus = this.docs.bonus;
    const top = new TopK<Candidate>(limit, compareCandidates);
    for (let k = 0; k < docs.count; k++) {
      const s = docs.list[k]!;
      if (!docs.matchedAll(s, terms)) continue;
      const score = docs.sum[s]! + bonus[s]!;
      const rank = S.classRank(docs.min[s]!);
      const last = top.threshold;
      if (last && (score < last.score || (score === last.score && rank < last.rank))) continue;
      const e = this.docs.at(s)!;
      if (filtered) {
        if (kinds && !kinds.has(e.doc.kind)) continue;
        if (source !== undefined && e.source !== source) continue;
        if (tags && !tags.every((t) => e.tags?.has(t))) continue;
      }
      top.offer({ slot: s, score, rank, qualified: e.doc.qualified, id: e.doc.id });
    }
    return top.sorted().map((c) => {
      const doc = this.docs.at(c.slot)!.doc;
      const ref = docs.ref[c.slot]!;
      return {
        id: doc.id,
        kind: doc.kind,
        name: doc.name,
        qualified: doc.qualified,
        score: Math.round(c.score * 1000) / 1000,
        match: S.matchClass(docs.min[c.slot]!),
        matched: matched(doc, docs.field[c.slot]!, ref >= 0 ? sc.texts[ref] : undefined),
      };
    });
  }
}

function referenceKeysOf(doc: SearchDoc): readonly string[] {
  if (!doc.references?.length) return NONE;
  const keys = new Set<string>();
  for (const ref of doc.references) for (const key of referenceKeys(ref)) keys.add(key);
  return [...keys];
}
