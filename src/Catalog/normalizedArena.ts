import { isSingleSpaced, normalizeText, splitWords } from "./normalizeText.js"
import type { TextArena } from "./TextArena.js"

const SPACE = 0x20

/** ASCII whitespace as Python's `str.split()` sees it (see normalizeText). */
const isAsciiWhitespace = (unit: number): boolean => unit === SPACE || (unit >= 0x09 && unit <= 0x0d) || (unit >= 0x1c && unit <= 0x1f)

/**
 * Writes `normalizeText(name)` at `units[at ..]` when `name` is plain ASCII whose words are single-spaced once
 * trimmed (almost every name): lowercased as it is copied, with no string made. Returns the end, or -1 when
 * the name needs the general way (nothing else is then to be trusted in `units`).
 */
const writeAsciiName = (name: string, units: Uint16Array, at: number): number => {
  let start = 0
  let end = name.length
  while (start < end && isAsciiWhitespace(name.charCodeAt(start))) start++
  while (end > start && isAsciiWhitespace(name.charCodeAt(end - 1))) end--
  if (at + end - start > units.length) return -1
  let afterSpace = false
  for (let i = start; i < end; i++) {
    const unit = name.charCodeAt(i)
    if (unit > 0x7f) return -1
    if (unit === SPACE) {
      if (afterSpace) return -1
      afterSpace = true
      units[at++] = unit
    } else {
      if (isAsciiWhitespace(unit)) return -1
      afterSpace = false
      units[at++] = unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit
    }
  }
  return at
}

/**
 * The normalized names (normalizeText) of `count` names, each as its words joined by single spaces; `nameAt(i)`
 * is called once or twice per name, in order. A name whose normalized form is not that (other whitespace, runs of
 * spaces) is also handed to `irregular`.
 */
export const normalizedArena = (
  count: number,
  nameAt: (i: number) => string,
  irregular: (i: number, normalized: string) => void
): TextArena => {
  // Normalized names are usually no longer than the raw ones.
  let capacity = 16
  for (let i = 0; i < count; i++) capacity += nameAt(i).length
  let units = new Uint16Array(capacity)
  const starts = new Int32Array(count)
  const ends = new Int32Array(count)
  let at = 0
  for (let i = 0; i < count; i++) {
    const raw = nameAt(i)
    starts[i] = at
    const end = writeAsciiName(raw, units, at)
    if (end >= 0) {
      at = end
    } else {
      const name = normalizeText(raw)
      let line = name
      if (!isSingleSpaced(name)) {
        irregular(i, name)
        line = splitWords(name).join(" ")
      }
      if (at + line.length > units.length) {
        const grown = new Uint16Array(Math.max(at + line.length, Math.ceil(1.5 * units.length)))
        grown.set(units.subarray(0, at))
        units = grown
      }
      for (let k = 0; k < line.length; k++) units[at++] = line.charCodeAt(k)
    }
    ends[i] = at
  }
  return { units: at < units.length * 0.9 ? units.slice(0, at) : units, starts, ends }
}
