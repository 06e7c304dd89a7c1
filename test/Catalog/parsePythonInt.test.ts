import { describe, expect, it } from "@effect/vitest"
import { parsePythonInt } from "../../src/Catalog/parsePythonInt.js"

describe("parsePythonInt", () => {
  it.each([
    ["0", 0n],
    ["5", 5n],
    [" 5 ", 5n],
    ["\t\n5\r\n", 5n],
    ["+3", 3n],
    ["-0", 0n],
    ["-10", -10n],
    [" -5 ", -5n],
    ["0007", 7n],
    ["1_000", 1000n],
    ["99999999999999999999", 99999999999999999999n],
    ["-99999999999999999999", -99999999999999999999n],
    ["\u30005\u3000", 5n],
    ["\u00a012\u2003", 12n],
    ["\u0085" + "7", 7n],
    ["٣", 3n],
    ["1٣", 13n],
    ["๓๔", 34n],
    ["５", 5n],
    ["𝟓", 5n],
    ["𝟗𝟗", 99n]
  ] as const)("accepts %j as %s", (text, value) => {
    expect(parsePythonInt(text)).toBe(value)
  })

  it.each([
    "",
    " ",
    "+",
    "-",
    "1.5",
    "1e3",
    "0x10",
    "0b1",
    "foo",
    "5a",
    "- 5",
    "+-5",
    "_1",
    "1_",
    "1__0",
    "+_1",
    "\x1c5",
    "5\x1f",
    "\ufeff5",
    "5\u200b",
    "Ⅻ",
    "½",
    "1 2",
    "\ud800",
    "\x7f1"
  ])("rejects %j", (text) => {
    expect(parsePythonInt(text)).toBeUndefined()
  })
})
