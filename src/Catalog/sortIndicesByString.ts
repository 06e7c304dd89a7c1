import { sortArenaTexts, textArena } from "./TextArena.js"

/**
 * Stable sort of `indices` by `textAt(index)` (for every index below `count`) in Unicode code point
 * order; equal texts keep their order in `indices`, so pre-sorting by a tie-breaker gives a total
 * order. Returns a new array.
 */
export const sortIndicesByText = (indices: Int32Array, count: number, textAt: (i: number) => string): Int32Array => {
  let length = 0
  for (let i = 0; i < count; i++) length += textAt(i).length
  return sortArenaTexts(indices, textArena(count, textAt, length))
}

/** `sortIndicesByText` over an array of strings. */
export const sortIndicesByString = (indices: Int32Array, keys: ReadonlyArray<string>): Int32Array =>
  sortIndicesByText(indices, keys.length, (i) => keys[i]!)
