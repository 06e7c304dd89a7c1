import { describe, expect, it } from "vitest"
import { compareFastTags } from "../../src/Scan/compareFastTags.js"
import { walkCollection } from "../../src/Scan/walkCollection.js"
import { fixtureRoot } from "./fixtureTable.js"

describe("fastTags agrees with music-metadata", () => {
  it("on every fixture file, or declines it", async () => {
    const files = (await walkCollection(fixtureRoot)).files.map((file) => file.path)
    const comparison = await compareFastTags(files)
    console.log(JSON.stringify(comparison.byExtension))
    expect(comparison.mismatches).toEqual([])
  })
})
