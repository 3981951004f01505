/**
 * Per-query scratch arrays indexed by document slot. A round starts with
 * `begin` and a new epoch stamp instead of clearing, so a query costs what it
 * touches, not the size of the index. Values are integers up to ~1300 per
 * term (exact in a Float32Array); sums are float64.
 */

/** The best value per slot within one round (one query word or term). */
export class BestPerSlot {
  value = new Float32Array(0);
  field = new Uint8Array(0);
  ref = new Int32Array(0);
  /** The slots offered this round, each once. */
  list = new Int32Array(0);
  count = 0;
  private stamp = new Uint32Array(0);
  private epoch = 0;

  begin(capacity: number): void {
    if (this.stamp.length < capacity) {
      const size = Math.max(capacity, Math.ceil(this.stamp.length * 1.5));
      this.value = new Float32Array(size);
      this.field = new Uint8Array(size);
      this.ref = new Int32Array(size);
      this.list = new Int32Array(size);
      this.stamp = new Uint32Array(size);
      this.epoch = 0;
    }
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.count = 0;
  }

  offer(slot: number, value: number, field: number, ref: number): void {
    if (this.stamp[slot] !== this.epoch) {
      this.stamp[slot] = this.epoch;
      this.list[this.count++] = slot;
    } else if (value <= this.value[slot]) {
      return;
    }
    this.value[slot] = value;
    this.field[slot] = field;
    this.ref[slot] = ref;
  }
}

/**
 * Slots that match every round so far (the words of a term, the terms of a
 * query), with the sum of their values and the weakest round's match.
 */
export class AllRounds {
  sum = new Float64Array(0);
  min = new Float32Array(0);
  field = new Uint8Array(0);
  ref = new Int32Array(0);
  /** Every slot that matched round 0; check `matchedAll` before using one. */
  list = new Int32Array(0);
  count = 0;
  private hits = new Uint8Array(0);
  private stamp = new Uint32Array(0);
  private epoch = 0;

  begin(capacity: number): void {
    if (this.stamp.length < capacity) {
      const size = Math.max(capacity, Math.ceil(this.stamp.length * 1.5));
      this.sum = new Float64Array(size);
      this.min = new Float32Array(size);
      this.field = new Uint8Array(size);
      this.ref = new Int32Array(size);
      this.list = new Int32Array(size);
      this.hits = new Uint8Array(size);
      this.stamp = new Uint32Array(size);
      this.epoch = 0;
    }
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    this.count = 0;
  }

  /** Adds round `round` (0, 1, ... at most 255); returns how many slots have matched every round so far. */
  merge(round: number, from: BestPerSlot): number {
    let matched = 0;
    for (let k = 0; k < from.count; k++) {
      const s = from.list[k]!;
      const v = from.value[s]!;
      if (round === 0) {
        this.stamp[s] = this.epoch;
        this.hits[s] = 1;
        this.sum[s] = v;
        this.min[s] = v;
        this.field[s] = from.field[s]!;
        this.ref[s] = from.ref[s]!;
        this.list[this.count++] = s;
      } else {
        if (this.stamp[s] !== this.epoch || this.hits[s] !== round) continue;
        this.hits[s] = round + 1;
        this.sum[s] += v;
        if (v < this.min[s]!) {
          this.min[s] = v;
          this.field[s] = from.field[s]!;
          this.ref[s] = from.ref[s]!;
        }
      }
      matched++;
    }
    return matched;
  }

  matchedAll(slot: number, rounds: number): boolean {
    return this.stamp[slot] === this.epoch && this.hits[slot] === rounds;
  }
}
