/**
 * Bottom-k sampling on a hash of the shopper id: every shopper gets a key, a seeded hash of their
 * id (`shopperKey`, MurmurHash3 x86 32-bit), and a sample of size k is the k shoppers with the
 * smallest (key, shopper id). Which shoppers are in it depends only on who is in the population,
 * not on the order they come in nor on how the population was cut into parts: the k smallest of
 * a union are the k smallest of the parts' k smallest, so samples merge exactly. Since the hash
 * is (close to) uniform and independent of anything about the shopper, the sample is a uniform
 * random one, like a reservoir sample, but one that parallel workers agree on.
 *
 * Sampled items come out in the sampling order, never the arrival order: what is computed from
 * them (K-means seeding) depends on row order, and this one is the same however the population
 * was cut, merged or scanned. Two samples merge by adding one's items to the other.
 */
import { murmur3_32 } from '#shared/kernel/hash';

/** A sampled item: whose, and its key (`shopperKey` of the sample's seed and the shopper id). */
export interface Keyed {
  readonly shopperId: string;
  readonly key: number;
}

/** The shopper's sampling key for `seed`: MurmurHash3_x86_32 of the id's UTF-8 bytes, seeded with `seed mod 2³²`. */
export const shopperKey = (seed: number, shopperId: string): number => murmur3_32(shopperId, seed);

/** The sampling order: key, then shopper id (code-unit order, the same on every platform). */
export const keyOrder = (a: Keyed, b: Keyed): number =>
  a.key - b.key || (a.shopperId < b.shopperId ? -1 : a.shopperId > b.shopperId ? 1 : 0);

/**
 * The k items with the smallest keys seen so far, in a max-heap on the sampling order. Memory: k items.
 */
export class BottomKSample<T extends Keyed> {
  private readonly heap: T[] = [];
  private dropped = false;

  constructor(readonly k: number) {}

  /** Whether an item with this key and shopper would be kept now: ask before building an expensive item. */
  admits(candidate: Keyed): boolean {
    if (this.heap.length < this.k) return true;
    const top = this.heap[0];
    return top !== undefined && keyOrder(candidate, top) < 0;
  }

  /**
   * Offers a shopper before their item is built (which may be costly): true if `add` would keep
   * it now; false if it is dropped, which the sample records as a drop like `add` does.
   */
  offer(candidate: Keyed): boolean {
    if (this.admits(candidate)) return true;
    this.dropped = true;
    return false;
  }

  /** Keeps `item` if it is among the k smallest so far (dropping the largest kept when full). */
  add(item: T): void {
    if (!this.admits(item)) {
      this.dropped = true;
      return;
    }
    if (this.heap.length < this.k) {
      this.heap.push(item);
      this.siftUp(this.heap.length - 1);
    } else {
      this.heap[0] = item;
      this.siftDown(0);
      this.dropped = true;
    }
  }

  /**
   * The largest (key, shopper) kept once an item has been dropped, null while nothing has been:
   * every item offered at or below it is in the sample, none above it.
   */
  cutoff(): Keyed | null {
    const top = this.heap[0];
    return this.dropped && top ? { key: top.key, shopperId: top.shopperId } : null;
  }

  /** The kept items, in the sampling order. */
  items(): T[] {
    return [...this.heap].sort(keyOrder);
  }

  private larger(i: number, j: number): boolean {
    return keyOrder(this.heap[i] as T, this.heap[j] as T) > 0;
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    [heap[i], heap[j]] = [heap[j] as T, heap[i] as T];
  }

  private siftUp(at: number): void {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.larger(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(at: number): void {
    let i = at;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < this.heap.length && this.larger(left, largest)) largest = left;
      if (right < this.heap.length && this.larger(right, largest)) largest = right;
      if (largest === i) return;
      this.swap(i, largest);
      i = largest;
    }
  }
}
