/**
 * The documents of an index in numbered slots. Inverted lists refer to
 * documents by slot; the values their hot loops read (alive, name length,
 * kind + popularity bonus) sit in typed arrays for locality. A removed
 * document's slot is emptied and not reused until `compact`, so a stale list
 * entry can only point at an empty slot, never at another document.
 */
import { fold } from './tokenize';
import { kindBonus, popularityBonus } from './scoring';
import type { SearchDoc } from './types';

export interface Entry {
  readonly doc: SearchDoc;
  /** Normalised name and qualified name (folded, spaces collapsed). */
  readonly name: string;
  readonly qualified: string;
  /** Folded, for the filters. */
  readonly source: string | undefined;
  readonly tags: ReadonlySet<string> | undefined;
}

export class SlotStore {
  alive = new Uint8Array(1024);
  /** Characters in the name's words: the denominator of a word's coverage. */
  nameLength = new Uint16Array(1024);
  /** Kind bonus + popularity bonus, added once per document. */
  bonus = new Float64Array(1024);
  private entries: (Entry | undefined)[] = [];
  private readonly byId = new Map<string, number>();
  private empty = 0;

  /** Slots in use or emptied since the last compaction (the scratch arrays' size). */
  get length(): number {
    return this.entries.length;
  }

  /** Documents. */
  get size(): number {
    return this.byId.size;
  }

  /** Emptied slots. */
  get emptied(): number {
    return this.empty;
  }

  slotOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** The entry in a slot; undefined once emptied. */
  at(slot: number): Entry | undefined {
    return this.entries[slot];
  }

  add(doc: SearchDoc, name: string, qualified: string, nameLength: number): number {
    const slot = this.entries.length;
    if (slot === this.alive.length) this.grow();
    this.entries.push(makeEntry(doc, name, qualified));
    this.byId.set(doc.id, slot);
    this.alive[slot] = 1;
    this.nameLength[slot] = Math.min(65535, nameLength);
    this.bonus[slot] = kindBonus(doc.kind) + popularityBonus(doc.popularity);
    return slot;
  }

  /** A new version whose indexed text is unchanged (popularity, kind, source, parent may differ). */
  replace(slot: number, doc: SearchDoc): void {
    const old = this.entries[slot]!;
    this.entries[slot] = makeEntry(doc, old.name, old.qualified);
    this.bonus[slot] = kindBonus(doc.kind) + popularityBonus(doc.popularity);
  }

  free(slot: number): Entry {
    const entry = this.entries[slot]!;
    this.entries[slot] = undefined;
    this.alive[slot] = 0;
    this.byId.delete(entry.doc.id);
    this.empty++;
    return entry;
  }

  /** Drops the emptied slots; returns old slot -> new slot (-1: emptied). */
  compact(): Int32Array {
    const map = new Int32Array(this.entries.length).fill(-1);
    const entries: Entry[] = [];
    for (let s = 0; s < this.entries.length; s++) {
      const entry = this.entries[s];
      if (!entry) continue;
      const n = entries.length;
      map[s] = n;
      entries.push(entry);
      this.byId.set(entry.doc.id, n);
      this.nameLength[n] = this.nameLength[s]!;
      this.bonus[n] = this.bonus[s]!;
    }
    this.alive.fill(0);
    this.alive.fill(1, 0, entries.length);
    this.entries = entries;
    this.empty = 0;
    return map;
  }

  private grow(): void {
    const size = this.alive.length * 2;
    const alive = new Uint8Array(size);
    alive.set(this.alive);
    const nameLength = new Uint16Array(size);
    nameLength.set(this.nameLength);
    const bonus = new Float64Array(size);
    bonus.set(this.bonus);
    this.alive = alive;
    this.nameLength = nameLength;
    this.bonus = bonus;
  }
}

function makeEntry(doc: SearchDoc, name: string, qualified: string): Entry {
  return {
    doc,
    name,
    qualified,
    source: doc.source === undefined ? undefined : fold(doc.source).trim(),
    tags: doc.tags?.length ? new Set(doc.tags.map((t) => fold(t).trim())) : undefined,
  };
}
