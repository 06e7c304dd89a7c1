import { codePointUnit } from "./compareCodePoints.js"

/**
 * Many strings packed as UTF-16 code units into one typed array: text `i` is
 * `units[starts[i] .. ends[i] - 1]`. Compact and cache friendly, and invisible to the garbage collector.
 */
export type TextArena = {
  readonly units: Uint16Array
  readonly starts: Int32Array
  readonly ends: Int32Array
}

/**
 * Packs `count` strings; `textAt(i)` is called once per text, in order. `capacity` is the expected
 * total length (exceeding it costs a copy).
 */
export const textArena = (count: number, textAt: (i: number) => string, capacity: number): TextArena => {
  let units = new Uint16Array(Math.max(16, capacity))
  const starts = new Int32Array(count)
  const ends = new Int32Array(count)
  let at = 0
  for (let i = 0; i < count; i++) {
    const text = textAt(i)
    const length = text.length
    if (at + length > units.length) {
      const grown = new Uint16Array(Math.max(at + length, Math.ceil(1.5 * units.length)))
      grown.set(units.subarray(0, at))
      units = grown
    }
    starts[i] = at
    for (let k = 0; k < length; k++) units[at++] = text.charCodeAt(k)
    ends[i] = at
  }
  return { units: at < units.length * 0.9 ? units.slice(0, at) : units, starts, ends }
}

export const arenaText = (units: Uint16Array, start: number, end: number): string => {
  let text = ""
  // A plain array of codes: several times faster than `Array.from` of a subarray for the many short words.
  const codes: Array<number> = []
  for (let at = start; at < end; at += 4096) {
    codes.length = 0
    for (let i = at; i < Math.min(end, at + 4096); i++) codes.push(units[i]!)
    text += String.fromCharCode.apply(null, codes)
  }
  return text
}

/** Code point order of two texts that agree on their first `depth` units. */
export const compareArenaTexts = (arena: TextArena, a: number, b: number, depth: number): number => {
  const { ends, starts, units } = arena
  const aStart = starts[a]!
  const bStart = starts[b]!
  const aLength = ends[a]! - aStart
  const bLength = ends[b]! - bStart
  const n = Math.min(aLength, bLength)
  for (let i = depth; i < n; i++) {
    const u = units[aStart + i]!
    const v = units[bStart + i]!
    if (u !== v) return codePointUnit(u) - codePointUnit(v)
  }
  return aLength - bLength
}

const SMALL_RANGE = 32

/**
 * Stable sort of text numbers `items` by text in Unicode code point order; equal texts keep their
 * order in `items`. Returns a new array.
 *
 * An MSD radix sort over UTF-16 units (mapped to code point order) with an explicit work stack,
 * falling back to insertion sort for small ranges and to a comparison sort for sparse ones: far
 * faster than `Array.prototype.sort` with a comparator on 10^5–10^6 strings.
 */
export const sortArenaTexts = (items: Int32Array, arena: TextArena): Int32Array => {
  const { ends, starts, units } = arena
  const out = Int32Array.from(items)
  const n = out.length
  const scratch = new Int32Array(n)
  const codes = new Int32Array(n)
  const counts = new Int32Array(0x10002)
  const stack: Array<number> = [0, n, 0]

  const insertionSort = (lo: number, hi: number, depth: number): void => {
    for (let i = lo + 1; i < hi; i++) {
      const item = out[i]!
      let j = i - 1
      while (j >= lo && compareArenaTexts(arena, out[j]!, item, depth) > 0) {
        out[j + 1] = out[j]!
        j--
      }
      out[j + 1] = item
    }
  }

  const comparisonSort = (lo: number, hi: number, depth: number): void => {
    const part = Array.from(out.subarray(lo, hi))
    part.sort((a, b) => compareArenaTexts(arena, a, b, depth))
    out.set(part, lo)
  }

  while (stack.length > 0) {
    const depth = stack.pop()!
    const hi = stack.pop()!
    const lo = stack.pop()!
    if (hi - lo < 2) continue
    if (hi - lo <= SMALL_RANGE) {
      insertionSort(lo, hi, depth)
      continue
    }
    let min = 0x10001
    let max = -1
    for (let i = lo; i < hi; i++) {
      const item = out[i]!
      const at = starts[item]! + depth
      const code = at < ends[item]! ? codePointUnit(units[at]!) + 1 : 0
      codes[i] = code
      if (code < min) min = code
      if (code > max) max = code
    }
    if (min === max) {
      if (min !== 0) stack.push(lo, hi, depth + 1)
      continue
    }
    const span = max - min + 1
    if (span > 4 * (hi - lo)) {
      comparisonSort(lo, hi, depth)
      continue
    }
    counts.fill(0, 0, span + 1)
    for (let i = lo; i < hi; i++) counts[codes[i]! - min + 1]!++
    for (let c = 1; c <= span; c++) counts[c]! += counts[c - 1]!
    // counts[c] is now the start of bucket c (relative to lo); push the sub-ranges first.
    for (let c = 0; c < span; c++) {
      const start = counts[c]!
      const end = counts[c + 1]!
      if (end - start > 1 && c + min !== 0) stack.push(lo + start, lo + end, depth + 1)
    }
    for (let i = lo; i < hi; i++) {
      const c = codes[i]! - min
      scratch[lo + counts[c]!] = out[i]!
      counts[c]!++
    }
    out.set(scratch.subarray(lo, hi), lo)
  }
  return out
}
