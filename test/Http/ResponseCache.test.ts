import { describe, expect, it } from "vitest"
import { ResponseCache } from "../../src/Http/ResponseCache.js"

const entryCost = (key: string, bytes: number) => bytes + key.length * 2 + 64

describe("ResponseCache", () => {
  it("returns what was stored, and nothing for other keys", () => {
    const cache = new ResponseCache<string>(10_000)
    cache.set("a", "A", 10)
    expect(cache.get("a")).toBe("A")
    expect(cache.get("b")).toBeUndefined()
  })

  it("evicts the least recently used entries once over budget", () => {
    const keys = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"]
    const cache = new ResponseCache<string>(entryCost("k1", 100) * keys.length)
    for (const key of keys) cache.set(key, key, 100)
    expect(cache.get("k1")).toBe("k1") // k2 is now the least recently used
    cache.set("k9", "k9", 100)
    expect(cache.get("k2")).toBeUndefined()
    for (const key of ["k1", "k3", "k4", "k5", "k6", "k7", "k8", "k9"]) expect(cache.get(key)).toBe(key)
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes)
    expect(cache.size).toBe(8)
  })

  it("still gets back within budget when every entry was used, oldest first", () => {
    const keys = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"]
    const cache = new ResponseCache<string>(entryCost("k1", 100) * keys.length)
    for (const key of keys) cache.set(key, key, 100)
    for (const key of keys) expect(cache.get(key)).toBe(key)
    cache.set("k9", "k9", 100)
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes)
    expect(cache.get("k1")).toBeUndefined()
    for (const key of ["k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"]) expect(cache.get(key)).toBe(key)
  })

  it("never keeps an answer bigger than an eighth of the budget, so one huge answer cannot flush the rest", () => {
    const cache = new ResponseCache<string>(8_000)
    cache.set("small", "s", 100)
    cache.set("huge", "h", 2_000)
    expect(cache.get("huge")).toBeUndefined()
    expect(cache.get("small")).toBe("s")
  })

  it("replacing a key accounts its bytes once", () => {
    const cache = new ResponseCache<string>(100_000)
    cache.set("k", "1", 500)
    cache.set("k", "2", 700)
    expect(cache.get("k")).toBe("2")
    expect(cache.bytes).toBe(entryCost("k", 700))
    expect(cache.size).toBe(1)
  })
})
