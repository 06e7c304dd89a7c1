/** Sets of entity indices as ascending, duplicate-free Int32Arrays. */

export const emptySet: Int32Array = new Int32Array(0)

/** Union of ascending sets drawn from `0 .. universe - 1`. */
export const unionSorted = (sets: ReadonlyArray<Int32Array>, universe: number): Int32Array => {
  const nonEmpty = sets.filter((set) => set.length > 0)
  if (nonEmpty.length === 0) return emptySet
  if (nonEmpty.length === 1) return nonEmpty[0]!
  let total = 0
  for (const set of nonEmpty) total += set.length
  if (total > universe >>> 4) {
    const mark = new Uint8Array(universe)
    let count = 0
    for (const set of nonEmpty) {
      for (let i = 0; i < set.length; i++) {
        const e = set[i]!
        if (mark[e] === 0) {
          mark[e] = 1
          count++
        }
      }
    }
    const out = new Int32Array(count)
    for (let e = 0, j = 0; j < count; e++) if (mark[e] === 1) out[j++] = e
    return out
  }
  const all = new Int32Array(total)
  let at = 0
  for (const set of nonEmpty) {
    all.set(set, at)
    at += set.length
  }
  all.sort()
  let count = 1
  for (let i = 1; i < total; i++) if (all[i] !== all[count - 1]) all[count++] = all[i]!
  return all.subarray(0, count)
}

const lowerBound = (set: Int32Array, value: number, from: number): number => {
  let lo = from
  let hi = set.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (set[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Intersection of two ascending sets. */
export const intersectSorted = (x: Int32Array, y: Int32Array): Int32Array => {
  const [small, large] = x.length <= y.length ? [x, y] : [y, x]
  if (small.length === 0) return emptySet
  const out = new Int32Array(small.length)
  let count = 0
  if (small.length * 16 < large.length) {
    let from = 0
    for (let i = 0; i < small.length; i++) {
      const value = small[i]!
      from = lowerBound(large, value, from)
      if (from === large.length) break
      if (large[from] === value) out[count++] = value
    }
  } else {
    let i = 0
    let j = 0
    while (i < small.length && j < large.length) {
      const a = small[i]!
      const b = large[j]!
      if (a === b) {
        out[count++] = a
        i++
        j++
      } else if (a < b) i++
      else j++
    }
  }
  return out.subarray(0, count)
}
