import { describe, expect, it } from "@effect/vitest"
import { nameTokens, normalizeText, splitWords, trimWhitespace } from "../../src/Catalog/normalizeText.js"

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

  it("keeps non-Mn characters (ligatures, ß, CJK, emoji)", () => {
    expect(normalizeText("Straße")).toBe("straße")
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
