/**
 * Answers already computed for one immutable catalog, bounded by the bytes they hold; once over budget the oldest
 * entries not used since they were stored or last passed over go first (CLOCK, the second-chance approximation
 * of least-recently-used: a hit only sets a flag, where reordering a Map costs two hash operations per hit).
 * The catalog never changes under it, so an entry is valid until the catalog is replaced (then the whole cache
 * is dropped with it): repeated requests skip parsing, querying and rendering.
 */
export class ResponseCache<A> {
  private readonly entries = new Map<string, { readonly value: A; readonly bytes: number; used: boolean }>()
  private held = 0

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.held
  }

  get size(): number {
    return this.entries.size
  }

  get(key: string): A | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    entry.used = true
    return entry.value
  }

  /** Keeps `value` unless it alone would take more than an eighth of the budget (one huge answer must not flush the rest). */
  set(key: string, value: A, bytes: number): void {
    const cost = bytes + key.length * 2 + 64
    if (cost * 8 > this.maxBytes) return
    const previous = this.entries.get(key)
    if (previous !== undefined) {
      this.entries.delete(key)
      this.held -= previous.bytes
    }
    this.entries.set(key, { value, bytes: cost, used: false })
    this.held += cost
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.maxBytes) break
      if (oldest === key) continue
      this.entries.delete(oldest)
      if (entry.used) {
        // Used since it was stored or last passed over: a second chance at the end of the order.
        entry.used = false
        this.entries.set(oldest, entry)
      } else {
        this.held -= entry.bytes
      }
    }
  }
}
