/**
 * A value read from storage and trusted for `ttlMs` (the current model, the operators' policies),
 * so a request pays no storage call. Once a value is held, a stale one answers while a single
 * re-read runs in the background: no request waits on storage, and a failed re-read keeps the
 * held value until the next stale request tries again. With nothing held (or `undefined` read),
 * requests wait for the read, and "nothing" is trusted for `missTtlMs` only. A TTL of 0 means
 * "always current": every request waits for a fresh read (tests that write and read at once).
 */
export class RefreshingValue<T> {
  private value: T | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<T | undefined> | undefined;
  /** Bumped by `invalidate`: a read that started before it must not be kept. */
  private generation = 0;

  constructor(
    /** Reads the value; gets the one held, to skip work when it is still current. */
    private readonly read: (held: T | undefined) => Promise<T | undefined>,
    private readonly ttlMs: number,
    private readonly elapsed: () => number = () => performance.now(),
    private readonly missTtlMs = ttlMs,
  ) {}

  async get(): Promise<T | undefined> {
    const ttl = this.value === undefined ? this.missTtlMs : this.ttlMs;
    if (this.elapsed() - this.checkedAt < ttl) return this.value;
    const loading = this.loading ?? this.startRead();
    if (this.value === undefined || this.ttlMs === 0) return loading;
    loading.catch(() => undefined);
    return this.value;
  }

  /** Forgets the held value (after this process changed what it reflects). */
  invalidate(): void {
    this.generation += 1;
    this.value = undefined;
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.loading = undefined;
  }

  // One read at a time: concurrent requests share it.
  private startRead(): Promise<T | undefined> {
    const generation = this.generation;
    const loading = this.read(this.value).then((value) => {
      if (generation === this.generation) {
        this.value = value;
        this.checkedAt = this.elapsed();
      }
      return value;
    });
    this.loading = loading;
    const settle = () => {
      if (this.loading === loading) this.loading = undefined;
    };
    loading.then(settle, settle);
    return loading;
  }
}
