/**
 * Answers already computed for one immutable catalog, least recently used first out, bounded by the bytes they
 * hold. The catalog never changes under it, so an entry is valid until the catalog is replaced (then the whole
 * cache is dropped with it): repeated requests skip parsing, querying and rendering.
 */
export class ResponseCache<A> {
  private readonly entries = new Map<string, { readonly value: A; readonly bytes: number }>()
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
    // Re-inserting moves the key to the end of the Map's order: the most recently used.
    this.entries.delete(key)
    this.entries.set(key, entry)
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
    this.entries.set(key, { value, bytes: cost })
    this.held += cost
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.maxBytes) break
      this.entries.delete(oldest)
      this.held -= entry.bytes
    }
  }
}
