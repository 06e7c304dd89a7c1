import { constants, PerformanceObserver } from "node:perf_hooks"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import { collectGarbage, collectGarbageAndRelease, unusedHeapBytes } from "../../src/Launch/collectGarbage.js"

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

/** The full (mark-compact) collections that `run` makes, as PerformanceObserver reports them. */
const fullCollections = async (run: () => void): Promise<number> => {
  let count = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A gc entry's `detail` (Node 16+) is missing from these typings.
      const detail: unknown = Reflect.get(entry, "detail")
      if (typeof detail === "object" && detail !== null && "kind" in detail && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count++
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  run()
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  return count
}

describe("collectGarbageAndRelease", () => {
  it("collects once more only while the heap holds more unused memory than allowed", async () => {
    const ref = unreferenced()
    await new Promise((resolve) => setImmediate(resolve))
    const seen: Array<number> = []
    const unused = () => {
      seen.push(unusedHeapBytes())
      return seen.at(-1)!
    }
    let twice: boolean | undefined
    expect(await fullCollections(() => (twice = collectGarbageAndRelease(Number.MAX_SAFE_INTEGER, unused)))).toBe(1)
    expect(twice).toBe(false)
    expect(ref.deref()).toBeUndefined()
    expect(await fullCollections(() => (twice = collectGarbageAndRelease(-1, unused)))).toBe(2)
    expect(twice).toBe(true)
    expect(seen).toHaveLength(2)
    expect(seen.every((bytes) => bytes > 0)).toBe(true)
  })
})
