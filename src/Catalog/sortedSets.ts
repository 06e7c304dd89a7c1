/** Sets of entity indices as ascending, duplicate-free Int32Arrays (set operations: see Marks). */

export const emptySet: Int32Array = new Int32Array(0)

/** The first position of the ascending `sorted` whose value is not below `value` (`sorted.length` if none). */
export const lowerBound = (sorted: ArrayLike<number>, value: number): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
