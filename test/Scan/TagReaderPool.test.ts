import { existsSync, readdirSync, statSync } from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { songId } from "../../src/Domain/Ids.js"
import { readTags, type TagReadOutcome } from "../../src/Scan/readTags.js"
import { makeTagReaderPool, type TagReaderPool, type TagReadRequest } from "../../src/Scan/TagReaderPool.js"
import { walkCollection, type WalkedFile } from "../../src/Scan/walkCollection.js"
import { fixtureRoot } from "./fixtureTable.js"

const builtWorker = new URL("../../dist/tagWorker.js", import.meta.url)
const builtWorkerBundle = new URL("../../dist/tagWorker.cjs", import.meta.url)
const fakeWorker = new URL("./fakeTagWorker.mjs", import.meta.url)
const brokenWorker = new URL("./brokenTagWorker.mjs", import.meta.url)
const buildScript = new URL("../../scripts/build.mjs", import.meta.url)
const scanSources = new URL("../../src/Scan/", import.meta.url)
const workerSources = [
  ...readdirSync(scanSources).filter((name) => name.endsWith(".ts")).map((name) => new URL(name, scanSources)),
  ...["Domain/Collection.ts", "Domain/pathText.ts", "Domain/Ids.ts", "Launch/runBundle.ts", "Launch/launchTagWorker.ts", "Launch/saveCodeCache.ts"]
    .map((name) => new URL(`../../src/${name}`, import.meta.url)),
  buildScript
]

let fixtures: ReadonlyArray<WalkedFile> = []
let expected = new Map<string, TagReadOutcome>()

beforeAll(async () => {
  // The worker path runs the bundle `npm run build` makes. When it is missing or older than its sources, rebuild
  // just that bundle and its launcher, with the options (and music-metadata patches) of scripts/build.mjs,
  // leaving dist/avalon.* alone for other tests.
  const builtAt = Math.min(...[builtWorker, builtWorkerBundle].map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)))
  if (workerSources.some((source) => statSync(source).mtimeMs > builtAt)) {
    const { buildProgram } = (await import(buildScript.href)) as { readonly buildProgram: (name: string, dist: string) => Promise<unknown> }
    await buildProgram("tagWorker", new URL("../../dist/", import.meta.url).pathname)
  }
  fixtures = (await walkCollection(fixtureRoot)).files
  expected = new Map(await Promise.all(fixtures.map(async (file) => [file.path, await readTags(file.path)] as const)))
}, 120_000)

const readAll = async (pool: TagReaderPool, files: ReadonlyArray<TagReadRequest>): Promise<Map<string, TagReadOutcome>> => {
  const results = new Map<string, TagReadOutcome>()
  await pool.read(files, (path, outcome) => {
    expect(results.has(path)).toBe(false)
    results.set(path, outcome)
  })
  return results
}

const withPool = async <A>(pool: TagReaderPool, use: (pool: TagReaderPool) => Promise<A>): Promise<A> => {
  try {
    return await use(pool)
  } finally {
    await pool.close()
  }
}

const song = (path: string): TagReadOutcome => ({
  kind: "song",
  tags: { name: path, album: expect.stringMatching(/^worker \d+$/), artist: "", genre: "", track: 0, year: 0, length: expect.any(Number) },
  warnings: []
})

describe("TagReaderPool returns what readTags returns", () => {
  it("with worker threads (the built dist/tagWorker.js)", () =>
    withPool(makeTagReaderPool({ workers: 2, inFlightPerWorker: 8, workerScript: builtWorker }), async (pool) => {
      expect(pool.mode).toBe("workers")
      const results = await readAll(pool, fixtures)
      expect(results).toEqual(expected)
      expect(pool.parsedCount).toBe(fixtures.length)
    }))

  it("with worker threads, each song's id (songId of its path) computed by the worker, none for other files", () =>
    withPool(makeTagReaderPool({ workers: 2, inFlightPerWorker: 8, workerScript: builtWorker }), async (pool) => {
      const ids = new Map<string, string | undefined>()
      await pool.read(fixtures, (path, _, id) => ids.set(path, id))
      expect(ids.size).toBe(fixtures.length)
      for (const [path, id] of ids) expect(id).toBe(expected.get(path)?.kind === "song" ? songId(path) : undefined)
    }))

  it.each([
    ["the default worker script (absent next to the TypeScript sources)", {}],
    ["no worker script", { workerScript: null }],
    ["a missing worker script", { workerScript: new URL("./no-such-worker.js", import.meta.url) }],
    ["zero workers", { workers: 0, workerScript: builtWorker }]
  ] as const)("in the calling thread with %s", (_, options) =>
    withPool(makeTagReaderPool(options), async (pool) => {
      expect(pool.mode).toBe("in-thread")
      expect(await readAll(pool, fixtures.map((file) => file.path))).toEqual(expected)
      expect(pool.parsedCount).toBe(fixtures.length)
    }))

  it("counts parses across reads, and an empty read parses nothing", () =>
    withPool(makeTagReaderPool({ workers: 2, workerScript: builtWorker }), async (pool) => {
      await readAll(pool, [])
      expect(pool.parsedCount).toBe(0)
      await readAll(pool, fixtures.slice(0, 5))
      await readAll(pool, [])
      expect(pool.parsedCount).toBe(5)
      await Promise.all([readAll(pool, fixtures.slice(5, 10)), readAll(pool, fixtures.slice(10))])
      expect(pool.parsedCount).toBe(fixtures.length)
    }))
})

describe("TagReaderPool scheduling and failures (fake worker)", () => {
  const names = (count: number, prefix = "file"): ReadonlyArray<string> => Array.from({ length: count }, (_, i) => `/music/${prefix}-${i}.mp3`)

  it("keeps at most inFlightPerWorker files in each worker", () =>
    withPool(makeTagReaderPool({ workers: 2, inFlightPerWorker: 3, workerScript: fakeWorker }), async (pool) => {
      const results = await readAll(pool, names(60))
      expect(results.size).toBe(60)
      const inFlight = [...results.values()].map((outcome) => (outcome.kind === "song" ? outcome.tags.length : -1))
      expect(Math.max(...inFlight)).toBe(3)
    }))

  it("sends a worker few large files at a time, many small ones", () =>
    withPool(makeTagReaderPool({ workers: 1, inFlightPerWorker: 8, workerScript: fakeWorker }), async (pool) => {
      const maxInFlight = (results: Map<string, TagReadOutcome>): number =>
        Math.max(...[...results.values()].map((outcome) => (outcome.kind === "song" ? outcome.tags.length : -1)))
      // 20 MB each against a budget of 32 MB in flight per worker: one at a time.
      expect(maxInFlight(await readAll(pool, names(6, "large").map((path) => ({ path, size: 20 * 1024 * 1024 }))))).toBe(1)
      expect(maxInFlight(await readAll(pool, names(20, "small").map((path) => ({ path, size: 5000 }))))).toBe(8)
    }))

  /** Reads small batches until both workers have answered: a worker still starting would leave all to the other. */
  const untilBothWorkersAnswer = async (pool: TagReaderPool): Promise<void> => {
    for (let round = 0; round < 200; round++) {
      const results = await readAll(pool, names(8, `warm-up-${round}`))
      if (new Set([...results.values()].map((outcome) => (outcome.kind === "song" ? outcome.tags.album : ""))).size === 2) return
    }
    throw new Error("the second worker never answered")
  }

  it("gives each worker one end of the files sorted by parser family", () =>
    withPool(makeTagReaderPool({ workers: 2, inFlightPerWorker: 4, workerScript: fakeWorker }), async (pool) => {
      await untilBothWorkersAnswer(pool)
      const mp3 = names(30, "mp3")
      const m4a = names(30, "m4a").map((path) => path.replace(/\.mp3$/, ".m4a"))
      const covers = names(10, "cover").map((path) => path.replace(/\.mp3$/, ".jpg"))
      // Interleaved as a walk would find them; MP3s sort first, M4As in the middle, covers last.
      const files = mp3.flatMap((path, i) => [path, m4a[i]!, ...(i < covers.length ? [covers[i]!] : [])])
      const results = await readAll(pool, files)
      const worker = (path: string): string => {
        const outcome = results.get(path)
        return outcome?.kind === "song" ? outcome.tags.album : "none"
      }
      // Whatever the timing, one worker read a prefix of [MP3s, M4As, covers] and the other the rest.
      const sorted = [...mp3, ...m4a, ...covers].map(worker)
      const first = sorted[0]!
      const boundary = sorted.findIndex((id) => id !== first)
      expect(boundary).toBeGreaterThan(0)
      expect(sorted.slice(boundary).every((id) => id !== first && id === sorted[boundary])).toBe(true)
    }))

  it("a file that crashes its worker is reported corrupt; the others are read; the worker is replaced", () =>
    withPool(makeTagReaderPool({ workers: 2, inFlightPerWorker: 4, workerScript: fakeWorker }), async (pool) => {
      const files = [...names(10), "/music/crash-me.mp3", ...names(10, "more")]
      const results = await readAll(pool, files)
      expect(results.size).toBe(files.length)
      expect(results.get("/music/crash-me.mp3")).toEqual({
        kind: "corrupt",
        reason: expect.stringContaining("the tag reader failed on this file twice (crashed on /music/crash-me.mp3)")
      })
      for (const path of files.filter((file) => !file.includes("crash"))) expect(results.get(path)).toEqual(song(path))
      expect(pool.mode).toBe("workers")
      expect(await readAll(pool, names(5, "after"))).toHaveProperty("size", 5)
    }))

  it("a file that hangs its worker is reported corrupt after the timeout", () =>
    withPool(makeTagReaderPool({ workers: 1, inFlightPerWorker: 4, workerScript: fakeWorker, taskTimeoutMs: 300 }), async (pool) => {
      const files = ["/music/before.mp3", "/music/hang-forever.mp3", "/music/after.mp3"]
      const results = await readAll(pool, files)
      expect(results.get("/music/hang-forever.mp3")).toEqual({ kind: "corrupt", reason: expect.stringContaining("no answer within 300 ms") })
      expect(results.get("/music/before.mp3")).toEqual(song("/music/before.mp3"))
      expect(results.get("/music/after.mp3")).toEqual(song("/music/after.mp3"))
    }))

  it("falls back to the calling thread when workers die before they are ready", () =>
    withPool(makeTagReaderPool({ workers: 2, workerScript: brokenWorker }), async (pool) => {
      expect(await readAll(pool, fixtures)).toEqual(expected)
      expect(pool.mode).toBe("in-thread")
    }))

  it("an exception from onResult rejects that read only", () =>
    withPool(makeTagReaderPool({ workers: 2, workerScript: fakeWorker }), async (pool) => {
      const failure = new Error("callback failed")
      await expect(pool.read(names(30), () => {
        throw failure
      })).rejects.toBe(failure)
      expect(await readAll(pool, names(3, "next"))).toHaveProperty("size", 3)
    }))

  it("closing rejects pending reads and later ones", async () => {
    const pool = makeTagReaderPool({ workers: 1, workerScript: fakeWorker })
    const pending = expect(pool.read(names(50), () => undefined)).rejects.toThrow("closed")
    await pool.close()
    await pending
    await expect(pool.read(names(1), () => undefined)).rejects.toThrow("closed")
  })
})
