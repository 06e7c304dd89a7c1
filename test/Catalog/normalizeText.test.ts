import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import {
  nameTokens,
  normalizeText,
  pythonWhitespace,
  splitWords,
  trimWhitespace
} from "../../src/Catalog/normalizeText.js"

/** The normalization of api.md before the wider folding: NFD, drop Mn, lowercase, trim. */
const edges = new RegExp(`^[${pythonWhitespace}]+|[${pythonWhitespace}]+$`, "g")
const accentFolding = (text: string): string =>
  text.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase().replace(edges, "")

/** api.md: the normalized query is a prefix of a token of the normalized name. */
const matches = (normalize: (text: string) => string, query: string, name: string): boolean => {
  const q = normalize(query)
  return q !== "" && nameTokens(normalize(name)).some((token) => token.startsWith(q))
}

describe("normalizeText", () => {
  it("folds accents and case", () => {
    expect(normalizeText("Björk")).toBe("bjork")
    expect(normalizeText("Adicción, Tradición")).toBe("adiccion, tradicion")
    expect(normalizeText("ÉCOLE")).toBe("ecole")
    expect(normalizeText("İstanbul")).toBe("istanbul")
  })

  it("drops combining marks that are already decomposed", () => {
    expect(normalizeText("Jo\u0301ga")).toBe("joga")
  })

  it("folds letters that do not decompose (ø æ œ ß ł đ ð þ ı) and their capitals", () => {
    expect(normalizeText("Bjørk")).toBe("bjork")
    expect(normalizeText("Œuvre")).toBe("oeuvre")
    expect(normalizeText("Straße")).toBe("strasse")
    expect(normalizeText("STRAẞE")).toBe("strasse")
    expect(normalizeText("ÆTHER Þór Łódź Đorđe Ðað Ørsted Æsir ıi")).toBe("aether thor lodz dorde dad orsted aesir ii")
    expect(normalizeText("Ǿ")).toBe("o")
  })

  it("folds typographic quotes, dashes and Unicode spaces to their ASCII forms", () => {
    expect(normalizeText("alt\u2010J")).toBe("alt-j")
    expect(normalizeText("A\u2011B\u2012C\u2013D\u2014E\u2015F\u2212G")).toBe("a-b-c-d-e-f-g")
    expect(normalizeText("Don\u2019t \u2018Stop\u2019 \u201cNow\u201d \u201ehere\u201f Rock\u00b4n\u02bcRoll")).toBe(
      "don't 'stop' \"now\" \"here\" rock'n'roll"
    )
    expect(normalizeText("Ruby\u00a0Soho")).toBe("ruby soho")
    expect(normalizeText("a\u2003b\u202fc\u3000d")).toBe("a b c d")
    // Tabs and line breaks are whitespace but not spaces: kept (the whole name is matched as it is).
    expect(normalizeText("a\tb")).toBe("a\tb")
  })

  it("keeps other non-Mn characters (CJK, emoji, fullwidth forms)", () => {
    expect(normalizeText("東京 😀")).toBe("東京 😀")
    expect(normalizeText("Ａ")).toBe("ａ")
  })

  it("trims surrounding whitespace, including Unicode spaces, but keeps inner whitespace", () => {
    expect(normalizeText("  Minor  Threat \t")).toBe("minor  threat")
    expect(normalizeText("\u3000\u00a0Björk\u2003\n")).toBe("bjork")
    expect(normalizeText("   ")).toBe("")
    expect(trimWhitespace("\x1c x \x85")).toBe("x")
  })
})

describe("normalizeText only merges", () => {
  const alphabet = [
    "a", "B", "o", " ", "  ", "\t", "-", "'", "\"", "ø", "Ø", "æ", "Œ", "ß", "ẞ", "ss", "ł", "Đ", "ð", "þ", "th", "ı", "i",
    "\u0301", "ó", "\u2010", "\u2014", "\u2212", "\u2019", "\u201c", "\u00a0", "\u3000", "\u2003", "東", "😀", "İ", "Ａ"
  ]
  const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((parts) => parts.join(""))

  it("every match of the accent-only normalization is still a match", () => {
    fc.assert(
      fc.property(text, text, (query, name) => {
        if (matches(accentFolding, query, name)) expect(matches(normalizeText, query, name)).toBe(true)
      }),
      { numRuns: 20_000, seed: 42 }
    )
  })

  it("every match stays a match when the query is a piece of the name", () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (name, a, b) => {
        const query = name.slice(Math.min(a, b) % (name.length + 1), Math.max(a, b) % (name.length + 1))
        if (matches(accentFolding, query, name)) expect(matches(normalizeText, query, name)).toBe(true)
      }),
      { numRuns: 20_000, seed: 7 }
    )
  })

  it("finds the folded spellings the old normalization missed", () => {
    expect(matches(accentFolding, "bjork", "Bjørk")).toBe(false)
    for (const [query, name] of [["bjork", "Bjørk"], ["oeuvre", "Œuvre"], ["strasse", "Straße"], ["alt-j", "alt\u2010J"], ["ruby soho", "Ruby\u00a0Soho"]]) {
      expect(matches(normalizeText, query!, name!), `${query} in ${name}`).toBe(true)
    }
  })
})

describe("splitWords", () => {
  it("splits on runs of whitespace", () => {
    expect(splitWords("this is  giving\tup")).toEqual(["this", "is", "giving", "up"])
    expect(splitWords("one")).toEqual(["one"])
    expect(splitWords("")).toEqual([])
  })
})

describe("nameTokens", () => {
  it("indexes the api.md example under exactly its seven tokens", () => {
    expect(nameTokens(normalizeText("This Is Giving Up"))).toEqual([
      "this is giving up",
      "this",
      "is",
      "giving",
      "up",
      "is giving up",
      "giving up"
    ])
  })

  it("handles one and two words and empty names", () => {
    expect(nameTokens("up")).toEqual(["up"])
    expect(nameTokens("giving up")).toEqual(["giving up", "giving", "up"])
    expect(nameTokens("")).toEqual([])
  })

  it("joins trailing runs with one space even when the name has other whitespace", () => {
    expect(nameTokens("a  b\tc d")).toEqual(["a  b\tc d", "a", "b", "c", "d", "b c d", "c d"])
  })
})
