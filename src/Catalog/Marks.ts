/**
 * Reusable scratch space for set operations over the entities `0 .. size - 1` of one table: a
 * stamp per entity and a member list, allocated once (on first use) instead of per request.
 *
 * A set is built in levels: the first level accepts every entity it visits (once), each further
 * level accepts only entities the previous level accepted, so after the last level the stamped
 * entities are the intersection of the levels' unions. Stamps are generation numbers that only grow
 * (until all are cleared at once), so nothing from an earlier query can be mistaken for a member of the current one; queries run
 * synchronously one at a time (a server process is single-threaded), so the space is never shared.
 */
export class Marks {
  private stamps: Uint16Array = new Uint16Array(0)
  private members: Int32Array = new Int32Array(0)
  private next = 0
  private level = 0
  private previous = 0
  private first = true
  private found = 0

  constructor(readonly size: number) {}

  /** Starts a new set of at most `levels` levels. */
  begin(levels: number): void {
    if (this.stamps.length !== this.size) {
      this.stamps = new Uint16Array(this.size)
      this.members = new Int32Array(this.size)
    }
    if (this.next > 0xffff - levels - 1) {
      // 16-bit stamps keep the array small (cache-friendly); clearing it every 65k levels costs little.
      this.stamps.fill(0)
      this.next = 0
    }
    this.first = true
    this.level = 0
    this.found = 0
  }

  /** Starts the next level. */
  nextLevel(): void {
    if (this.level !== 0) this.first = false
    this.previous = this.level
    this.level = ++this.next
    this.found = 0
  }

  /** Visits `list[from .. to - 1]` at the current level. */
  visit(list: Int32Array, from: number, to: number): void {
    const { level, members, stamps } = this
    let found = this.found
    if (this.first) {
      for (let i = from; i < to; i++) {
        const e = list[i]!
        if (stamps[e] !== level) {
          stamps[e] = level
          members[found++] = e
        }
      }
    } else {
      const previous = this.previous
      for (let i = from; i < to; i++) {
        const e = list[i]!
        if (stamps[e] === previous) {
          stamps[e] = level
          members[found++] = e
        }
      }
    }
    this.found = found
  }

  /** Members of the current level (in the order they were found). */
  get count(): number {
    return this.found
  }

  /** The member list; its first `count` entries are the current level's members, free to reorder. */
  get list(): Int32Array {
    return this.members
  }

  has(entity: number): boolean {
    return this.stamps[entity] === this.level
  }

  /** A scratch Int32Array of `size` entries (the member list, when the levels are not needed). */
  buffer(): Int32Array {
    if (this.members.length !== this.size) this.begin(0)
    return this.members
  }
}
