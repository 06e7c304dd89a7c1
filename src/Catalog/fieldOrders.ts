import type { FieldOrder } from "./EntityTable.js"
import { sortIndicesById } from "./sortIndicesById.js"
import { lowerBound } from "./sortedSets.js"
import { sortIndicesByString } from "./sortIndicesByString.js"

export const identity = (size: number): Int32Array => {
  const out = new Int32Array(size)
  for (let i = 0; i < size; i++) out[i] = i
  return out
}

export const inverse = (permutation: Int32Array): Int32Array => {
  const out = new Int32Array(permutation.length)
  for (let p = 0; p < permutation.length; p++) out[permutation[p]!] = p
  return out
}

export const fieldOrder = (order: Int32Array): FieldOrder => ({ order, rank: inverse(order) })

/**
 * A field order sorted on its first use: most fields are never asked for, and each costs a sort and two
 * arrays of the table's size (at 100k songs ~15 ms and 0.8 MB, ten times over at start-up).
 */
export const lazyFieldOrder = (sort: () => Int32Array): FieldOrder => {
  let made: FieldOrder | undefined
  const get = () => (made ??= fieldOrder(sort()))
  return {
    get order() {
      return get().order
    },
    get rank() {
      return get().rank
    }
  }
}

/** Stable counting sort of `base` by `bucketOf[e]` in `0 .. buckets - 1`. */
export const sortByBucket = (base: Int32Array, bucketOf: Int32Array, buckets: number): Int32Array => {
  const counts = new Int32Array(buckets + 1)
  for (let i = 0; i < base.length; i++) counts[bucketOf[base[i]!]! + 1]!++
  for (let b = 1; b <= buckets; b++) counts[b]! += counts[b - 1]!
  const out = new Int32Array(base.length)
  for (let i = 0; i < base.length; i++) {
    const e = base[i]!
    out[counts[bucketOf[e]!]!++] = e
  }
  return out
}

/** Dense ranks of strings in code point order (equal strings share a rank). */
export const stringBuckets = (keys: ReadonlyArray<string>): { readonly bucketOf: Int32Array; readonly buckets: number } => {
  const sorted = sortIndicesByString(identity(keys.length), keys)
  const bucketOf = new Int32Array(keys.length)
  let bucket = -1
  let previous: string | undefined
  for (let p = 0; p < sorted.length; p++) {
    const key = keys[sorted[p]!]!
    if (p === 0 || key !== previous) bucket++
    previous = key
    bucketOf[sorted[p]!] = bucket
  }
  return { bucketOf, buckets: bucket + 1 }
}

/** Dense ranks of numbers, ascending (NaN last). */
export const numberBuckets = (values: Float64Array): { readonly bucketOf: Int32Array; readonly buckets: number } => {
  const size = values.length
  let min = Infinity
  let max = -Infinity
  let integers = true
  for (let i = 0; i < size; i++) {
    const v = values[i]!
    if (!Number.isSafeInteger(v)) {
      integers = false
      break
    }
    if (v < min) min = v
    if (v > max) max = v
  }
  const bucketOf = new Int32Array(size)
  if (size === 0) return { bucketOf, buckets: 0 }
  if (integers && max - min <= 4 * size + 1024) {
    for (let i = 0; i < size; i++) bucketOf[i] = values[i]! - min
    return { bucketOf, buckets: max - min + 1 }
  }
  const sorted = Float64Array.from(values).sort()
  const distinct: Array<number> = []
  for (let i = 0; i < size; i++) {
    const v = sorted[i]!
    if (Number.isNaN(v)) break
    if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v)
  }
  for (let i = 0; i < size; i++) {
    const v = values[i]!
    bucketOf[i] = Number.isNaN(v) ? distinct.length : lowerBound(distinct, v)
  }
  return { bucketOf, buckets: distinct.length + 1 }
}

/** Ranks of distinct 16-byte ids in byte order: id `i` is `ids[16 i .. 16 i + 15]`, all different. */
export const idRanks = (count: number, ids: Uint8Array): { readonly bucketOf: Int32Array; readonly buckets: number } => ({
  bucketOf: inverse(sortIndicesById(identity(count), ids)),
  buckets: count
})

/**
 * Row numbers in default order (name, then id, then row number), the entity number of each row,
 * and the id order over entities (sorted on first use). Row `r` has the id `ids[16 r .. 16 r + 15]`
 * and the name `names[r]`.
 */
export const defaultOrder = (
  count: number,
  ids: Uint8Array,
  names: ReadonlyArray<string>
): { readonly rows: Int32Array; readonly entityOfRow: Int32Array; readonly idOrder: () => Int32Array } => {
  const rows = sortIndicesByString(identity(count), names)
  // Only the runs of equal names need the ids (each run is in row order, which sortIndicesById keeps for equal ids).
  for (let p = 0; p < count;) {
    const name = names[rows[p]!]
    let end = p + 1
    while (end < count && names[rows[end]!] === name) end++
    if (end - p > 1) rows.set(sortIndicesById(rows.subarray(p, end), ids), p)
    p = end
  }
  const entityOfRow = inverse(rows)
  let idOrder: Int32Array | undefined
  const sortById = (): Int32Array => {
    const byId = sortIndicesById(identity(count), ids)
    const out = new Int32Array(count)
    for (let p = 0; p < count; p++) out[p] = entityOfRow[byId[p]!]!
    return out
  }
  return { rows, entityOfRow, idOrder: () => (idOrder ??= sortById()) }
}
