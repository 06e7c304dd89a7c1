import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { sortNonNegative } from "../../src/Catalog/sortNonNegative.js"

describe("sortNonNegative", () => {
  it("sorts like the native numeric sort, on both sides of the radix threshold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6000 }),
        fc.constantFrom(1, 0xff, 0x1_0000, 0x7fff_ffff),
        fc.integer(),
        (length, bound, seed) => {
          let state = seed | 1
          const keys = Int32Array.from({ length }, () => {
            state = (Math.imul(state, 1103515245) + 12345) | 0
            return (state >>> 1) % (bound + 1)
          })
          const expected = Int32Array.from(keys).sort()
          expect(sortNonNegative(keys)).toEqual(expected)
        }
      ),
      { numRuns: 200, seed: 5 }
    )
  })
})
