/**
 * A few rows a busy path reads once and then reuses for a while (the salesperson of a burst of adds,
 * a channel's tags), so a campaign does not read the same row a thousand times. Only for rows that
 * are never deleted while the app runs, whose changes may show a TTL late. The test harness empties
 * the tables under a running app between cases; it calls forgetCachedRows() as it does.
 */
export class RowCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(private readonly ttlMs: number) {
    caches.add(new WeakRef(this));
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.at < this.ttlMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { value, at: Date.now() });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

const caches = new Set<WeakRef<RowCache<unknown>>>();

/** Empties every RowCache of this process (the rows under them were deleted). */
export function forgetCachedRows(): void {
  for (const ref of caches) {
    const cache = ref.deref();
    if (cache) cache.clear();
    else caches.delete(ref);
  }
}
