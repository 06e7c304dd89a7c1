import { describe, expect, it } from "@effect/vitest"
import { compareCodePoints } from "../../src/Catalog/compareCodePoints.js"
import { sortIndicesByString } from "../../src/Catalog/sortIndicesByString.js"
import { sortIndicesById } from "../../src/Catalog/sortIndicesById.js"
import { writeUuidBytes } from "../../src/Domain/Ids.js"

const referenceCompare = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

const sign = (n: number): number => Math.sign(n)

describe("compareCodePoints", () => {
  it("orders a BMP character above U+D800 before an astral character (unlike <)", () => {
    expect("😀" < "\uFF21").toBe(true)
    expect(compareCodePoints("\uFF21", "😀")).toBeLessThan(0)
    expect(compareCodePoints("😀", "\uFF21")).toBeGreaterThan(0)
    expect(compareCodePoints("\uE000", "\u{10000}")).toBeLessThan(0)
  })

  it("is plain code unit order elsewhere", () => {
    expect(compareCodePoints("a", "b")).toBeLessThan(0)
    expect(compareCodePoints("B", "a")).toBeLessThan(0)
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0)
    expect(compareCodePoints("same", "same")).toBe(0)
    expect(compareCodePoints("", "a")).toBeLessThan(0)
  })
})

let seed = 7
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0
  return (seed >>> 8) / 16777216
}
const alphabet = ["a", "b", "A", "é", "e\u0301", " ", "\uFF21", "\uFFFF", "\uE000", "😀", "\u{10000}", "\u{1F601}", "中", "\u0000"]
const randomString = (maxLength: number): string => {
  let out = ""
  const length = Math.floor(random() * (maxLength + 1))
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)]
  return out
}

const referenceSort = (indices: Int32Array, keys: ReadonlyArray<string>): Array<number> =>
  Array.from(indices).sort((a, b) => referenceCompare(keys[a]!, keys[b]!))

describe("sortIndicesByString", () => {
  it("agrees with a code point comparison sort, stably, on random strings", () => {
    for (const [count, maxLength] of [[10, 3], [200, 2], [3000, 6], [5000, 1]] as const) {
      const keys = Array.from({ length: count }, () => randomString(maxLength))
      const start = Int32Array.from({ length: count }, (_, i) => count - 1 - i)
      expect(Array.from(sortIndicesByString(start, keys))).toEqual(referenceSort(start, keys))
    }
  })

  it("handles long shared prefixes, duplicates and sparse alphabets", () => {
    const prefix = "x".repeat(300)
    const keys = [
      ...Array.from({ length: 500 }, (_, i) => prefix + String(i % 37)),
      ...Array.from({ length: 200 }, (_, i) => String.fromCodePoint(0x100 + i * 311 + (i >= 177 ? 0x1000 : 0))),
      ...Array.from({ length: 100 }, () => "dup")
    ]
    const start = Int32Array.from(keys, (_, i) => i)
    expect(Array.from(sortIndicesByString(start, keys))).toEqual(referenceSort(start, keys))
  })

  it("agrees with the comparator", () => {
    for (let i = 0; i < 2000; i++) {
      const a = randomString(4)
      const b = randomString(4)
      expect(sign(compareCodePoints(a, b))).toBe(sign(referenceCompare(a, b)))
    }
  })
})

describe("sortIndicesById", () => {
  const hex = "0123456789abcdef"
  const randomUuid = (): string => {
    let out = ""
    for (let i = 0; i < 32; i++) {
      if (i === 8 || i === 12 || i === 16 || i === 20) out += "-"
      // A small alphabet makes shared prefixes and exact duplicates likely.
      out += hex[i < 30 && random() < 0.7 ? 0 : Math.floor(random() * 16)]
    }
    return out
  }

  it("sorts UUID bytes exactly like the string sort of their canonical spelling, stably", () => {
    const unique = Array.from({ length: 3000 }, randomUuid)
    const keys = [...unique, ...unique.slice(0, 500)]
    const bytes = new Uint8Array(16 * keys.length)
    keys.forEach((key, i) => expect(writeUuidBytes(key, bytes, 16 * i)).toBe(true))
    const start = Int32Array.from(keys, (_, i) => keys.length - 1 - i)
    expect(Array.from(sortIndicesById(start, bytes))).toEqual(Array.from(sortIndicesByString(start, keys)))
    expect(new Set(keys).size).toBeLessThan(keys.length)
  })
})
