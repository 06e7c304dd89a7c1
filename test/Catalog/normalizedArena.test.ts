import { describe, expect, it } from "@effect/vitest"
import { normalizedArena } from "../../src/Catalog/normalizedArena.js"
import { isSingleSpaced, normalizeText, splitWords } from "../../src/Catalog/normalizeText.js"
import { arenaText } from "../../src/Catalog/TextArena.js"

/** Deterministic pseudo-random names mixing the cases the ASCII fast path must leave to the general way. */
const names = (count: number): Array<string> => {
  const pieces = ["Abc", "DEF", "ghi", "x", "42", "Ünïcödé", "Ærø", "ǅ", "日本", "😀", "-", "'", "\u0301", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "\x7f", "\"", "\\"]
  let seed = 12345
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % pieces.length
  return Array.from({ length: count }, () => Array.from({ length: 1 + (next() % 7) }, () => pieces[next()]!).join(""))
}

describe("normalizedArena", () => {
  it("holds each name's normalized words joined by single spaces, and hands over exactly the irregular names", () => {
    const raw = ["", "   ", "Plain Name", " Trimmed ", "Two  Spaces", "Tab\tInside", "ÉCLAIR", "x\u00a0y", ...names(5000)]
    const irregular = new Map<number, string>()
    const arena = normalizedArena(raw.length, (i) => raw[i]!, (i, name) => irregular.set(i, name))
    raw.forEach((name, i) => {
      const normalized = normalizeText(name)
      expect(arenaText(arena.units, arena.starts[i]!, arena.ends[i]!), JSON.stringify(name)).toBe(splitWords(normalized).join(" "))
      expect(irregular.get(i), JSON.stringify(name)).toBe(isSingleSpaced(normalized) ? undefined : normalized)
    })
    expect(irregular.size).toBeGreaterThan(100)
  })
})
