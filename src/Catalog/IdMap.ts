/**
 * Distinct 16-byte ids (UUID bytes) numbered 0, 1, … in order of first insertion: an open-addressing
 * hash table over one byte array, far cheaper to build and probe than a Map over id strings.
 */
export class IdMap {
  private bytes: Uint8Array
  private count = 0
  private slots: Int32Array
  private mask: number

  constructor(expected: number) {
    let capacity = 16
    while (capacity < 2 * expected) capacity *= 2
    this.slots = new Int32Array(capacity).fill(-1)
    this.mask = capacity - 1
    this.bytes = new Uint8Array(16 * Math.max(4, expected))
  }

  /** Key `k` is `keys[16 k .. 16 k + 15]` (the array may be longer than `16 * size`). */
  get keys(): Uint8Array {
    return this.bytes
  }

  get size(): number {
    return this.count
  }

  /** The number of the id at `source[at .. at + 15]`, or -1. */
  find(source: Uint8Array, at: number): number {
    const { bytes, mask, slots } = this
    for (let slot = hash(source, at) & mask; ; slot = (slot + 1) & mask) {
      const key = slots[slot]!
      if (key < 0 || equal(bytes, 16 * key, source, at)) return key
    }
  }

  /** The number of the id at `source[at .. at + 15]`, added when new. */
  add(source: Uint8Array, at: number): number {
    const { bytes, mask, slots } = this
    let slot = hash(source, at) & mask
    for (; ; slot = (slot + 1) & mask) {
      const key = slots[slot]!
      if (key < 0) break
      if (equal(bytes, 16 * key, source, at)) return key
    }
    const key = this.count++
    if (16 * this.count > bytes.length) {
      this.bytes = new Uint8Array(2 * bytes.length)
      this.bytes.set(bytes)
    }
    for (let i = 0; i < 16; i++) this.bytes[16 * key + i] = source[at + i]!
    slots[slot] = key
    if (2 * this.count > slots.length) this.grow()
    return key
  }

  private grow(): void {
    const slots = new Int32Array(2 * this.slots.length).fill(-1)
    const mask = slots.length - 1
    for (let key = 0; key < this.count; key++) {
      let slot = hash(this.bytes, 16 * key) & mask
      while (slots[slot]! >= 0) slot = (slot + 1) & mask
      slots[slot] = key
    }
    this.slots = slots
    this.mask = mask
  }
}

const word = (bytes: Uint8Array, at: number): number =>
  bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)

// Every byte counts: hand-made ids like 00000000-…-000000000001 must not collide.
const hash = (bytes: Uint8Array, at: number): number => {
  let h = Math.imul(word(bytes, at) ^ 0x9e3779b9, 0x85ebca6b)
  h = Math.imul(h ^ word(bytes, at + 4) ^ (h >>> 15), 0xc2b2ae35)
  h = Math.imul(h ^ word(bytes, at + 8) ^ (h >>> 13), 0x85ebca6b)
  h = Math.imul(h ^ word(bytes, at + 12) ^ (h >>> 16), 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const equal = (a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean => {
  for (let i = 0; i < 16; i++) if (a[aAt + i] !== b[bAt + i]) return false
  return true
}
