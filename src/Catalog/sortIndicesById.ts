/**
 * Stable sort of `indices` by the 16-byte id `ids[16 i .. 16 i + 15]` of each index `i`, in byte
 * order (which is the code point order of the lowercase hyphenated spelling). Returns a new array.
 *
 * Ranges are radix sorted by 4 bytes at a time (two counting passes over 16-bit digits, the keys
 * carried along so that memory access stays sequential), then each run of equal bytes by the next 4:
 * with random UUIDs the first 4 bytes almost always decide.
 */
export const sortIndicesById = (indices: Int32Array, ids: Uint8Array): Int32Array => {
  const items = Int32Array.from(indices)
  const n = items.length
  if (n < 2) return items
  // Small inputs (the runs of equal names of a default order: many) skip the 256 KB of radix scratch.
  if (n <= SMALL_RANGE) {
    sortSmallRange(items, 0, n, 0, ids)
    return items
  }
  const scratch = { items: new Int32Array(n), keys: new Uint32Array(n), otherKeys: new Uint32Array(n), counts: new Int32Array(0x10001) }
  sortRange(items, 0, n, 0, ids, scratch)
  return items
}

type Scratch = {
  readonly items: Int32Array
  readonly keys: Uint32Array
  readonly otherKeys: Uint32Array
  readonly counts: Int32Array
}

const SMALL_RANGE = 48

const sortRange = (items: Int32Array, lo: number, hi: number, offset: number, ids: Uint8Array, scratch: Scratch): void => {
  if (hi - lo <= SMALL_RANGE) {
    sortSmallRange(items, lo, hi, offset, ids)
    return
  }
  let keys = scratch.keys
  let otherKeys = scratch.otherKeys
  for (let i = lo; i < hi; i++) {
    const at = 16 * items[i]! + offset
    keys[i] = ((ids[at]! << 24) | (ids[at + 1]! << 16) | (ids[at + 2]! << 8) | ids[at + 3]!) >>> 0
  }
  let from = items
  let to = scratch.items
  const { counts } = scratch
  for (let shift = 0; shift <= 16; shift += 16) {
    counts.fill(0)
    for (let i = lo; i < hi; i++) counts[((keys[i]! >>> shift) & 0xffff) + 1]!++
    for (let d = 1; d <= 0x10000; d++) counts[d]! += counts[d - 1]!
    for (let i = lo; i < hi; i++) {
      const key = keys[i]!
      const at = lo + counts[(key >>> shift) & 0xffff]!++
      to[at] = from[i]!
      otherKeys[at] = key
    }
    const swapItems = from
    from = to
    to = swapItems
    const swapKeys = keys
    keys = otherKeys
    otherKeys = swapKeys
  }
  // Two passes: the sorted items are back in `items`, their keys in `scratch.keys`.
  if (offset === 12) return
  for (let start = lo; start < hi;) {
    const key = keys[start]!
    let end = start + 1
    while (end < hi && keys[end] === key) end++
    if (end - start > 1) sortRange(items, start, end, offset + 4, ids, scratch)
    start = end
  }
}

const sortSmallRange = (items: Int32Array, lo: number, hi: number, offset: number, ids: Uint8Array): void => {
  const run = Array.from(items.subarray(lo, hi))
  run.sort((a, b) => compareIds(ids, a, b, offset))
  items.set(run, lo)
}

const compareIds = (ids: Uint8Array, a: number, b: number, offset: number): number => {
  const aAt = 16 * a
  const bAt = 16 * b
  for (let i = offset; i < 16; i++) {
    const difference = ids[aAt + i]! - ids[bAt + i]!
    if (difference !== 0) return difference
  }
  return 0
}
