import { describe, expect, it } from "@effect/vitest"
import { quickScanArgs } from "../../src/Scan/quickScanArgs.js"

describe("quickScanArgs", () => {
  it.each([
    [["scan", "/music"], { root: "/music", database: undefined, quiet: false }],
    [["scan", "-q", "/music"], { root: "/music", database: undefined, quiet: true }],
    [["scan", "/music", "--quiet", "-d", "sqlite:////a.sqlite"], { root: "/music", database: "sqlite:////a.sqlite", quiet: true }],
    [["scan", "--database", "sqlite:///a.sqlite", "music"], { root: "music", database: "sqlite:///a.sqlite", quiet: false }],
    [["scan", "--database=sqlite:///a=b.sqlite", "music"], { root: "music", database: "sqlite:///a=b.sqlite", quiet: false }]
  ])("takes the plain scan %o", (args, expected) => {
    expect(quickScanArgs(args)).toEqual(expected)
  })

  it.each([
    [["serve"]],
    [["scan"]],
    [["scan", "--full", "/music"]],
    [["scan", "/music", "/other"]],
    [["scan", "--help"]],
    [["scan", "-h", "/music"]],
    [["scan", "-d"]],
    [["scan", "-d", "--quiet", "/music"]],
    [["scan", "-d", "a", "-d", "b", "/music"]],
    [["scan", "--database=", "/music"]],
    [["scan", "--", "/music"]],
    [["scan", "-qd", "sqlite:///a.sqlite", "/music"]],
    [["scan", "--log-level", "debug", "/music"]],
    [["scan", "", "/music"]]
  ])("leaves anything else to the CLI: %o", (args) => {
    expect(quickScanArgs(args)).toBeUndefined()
  })
})
