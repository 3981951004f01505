/**
 * The first `limit` items in a total order, kept in a heap whose root is the
 * last of them, so a query that matches 200,000 documents sorts 20.
 */
export class TopK<T> {
  private readonly heap: T[] = [];

  /** `order(a, b) < 0` when a comes before b. */
  constructor(
    private readonly limit: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  /** The item a newcomer must come before to be kept, once full. */
  get threshold(): T | undefined {
    return this.heap.length === this.limit ? this.heap[0] : undefined;
  }

  offer(item: T): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(item);
      this.up(heap.length - 1);
    } else if (heap.length > 0 && this.order(item, heap[0]!) < 0) {
      heap[0] = item;
      this.down(0);
    }
  }

  /** The kept items, in order. */
  sorted(): T[] {
    return this.heap.slice().sort(this.order);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.order(heap[i]!, heap[parent]!) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let last = i;
      if (l < heap.length && this.order(heap[l]!, heap[last]!) > 0) last = l;
      if (r < heap.length && this.order(heap[r]!, heap[last]!) > 0) last = r;
      if (last === i) return;
      [heap[i], heap[last]] = [heap[last]!, heap[i]!];
      i = last;
    }
  }
}
