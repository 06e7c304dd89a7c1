import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import { collectGarbage } from "../../src/Launch/collectGarbage.js"

const unreferenced = () => new WeakRef({ payload: new Array(1000).fill("x") })

describe("collectGarbage", () => {
  it("collects what nothing refers to any more, and leaves gc unexposed", async () => {
    const ref = unreferenced()
    const kept = { payload: "kept" }
    const keptRef = new WeakRef(kept)
    // A WeakRef holds its target until the current job ends (and again after each deref).
    await new Promise((resolve) => setImmediate(resolve))
    collectGarbage()
    expect(ref.deref()).toBeUndefined()
    expect(keptRef.deref()).toBe(kept)
    expect(runInNewContext("typeof gc")).toBe("undefined")
  })
})
