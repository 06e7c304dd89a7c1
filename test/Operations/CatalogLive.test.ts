import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Either, Layer, Logger, TestClock } from "effect"
import { AppConfig } from "../../src/Config/AppConfig.js"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings } from "../../src/Config/loadSettings.js"
import { Database } from "../../src/Database/Database.js"
import { DatabaseError } from "../../src/Database/DatabaseError.js"
import { collectionColumns, type CollectionRows } from "../../src/Domain/Collection.js"
import { CatalogLive } from "../../src/Http/CatalogLive.js"
import { CatalogStore } from "../../src/Http/CatalogStore.js"
import { v8FlagDefaults, v8FlagValue } from "../../src/Launch/setV8Flag.js"

const emptyRows: CollectionRows = { songs: [], albums: [], artists: [], genres: [] }

/** A database whose generation and failures the test sets; it counts what the server asked. */
const makeDatabase = () => {
  const state = { generation: 1, collectionFails: false, generationFails: false, generationReads: 0 }
  const layer = Layer.succeed(Database, Database.of({
    target: { dialect: "sqlite", filename: ":memory:" },
    readCollection: Effect.suspend(() =>
      state.collectionFails
        ? Effect.fail(new DatabaseError({ message: "collection unreadable" }))
        : Effect.succeed({ columns: collectionColumns(emptyRows), generation: state.generation, scannedAt: new Date(0) })),
    readGeneration: Effect.suspend(() => {
      state.generationReads += 1
      return state.generationFails ? Effect.fail(new DatabaseError({ message: "database down" })) : Effect.succeed(state.generation)
    }),
    readFileStates: Effect.die("the server never reads scan state"),
    readFileStamps: Effect.die("the server never reads scan state"),
    replaceCollection: () => Effect.die("the server never writes")
  }))
  return { state, layer }
}

const startCatalogWith = (database: ReturnType<typeof makeDatabase>, reloadInterval: number) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const logger = Logger.make(({ message }) => void lines.push(Array.isArray(message) ? message.join(" ") : String(message)))
    const settings = Either.getOrThrow(loadSettings({ defaultsText: defaultConfigText, env: {}, flags: { RELOAD_INTERVAL: reloadInterval } }))
    const context = yield* Layer.build(
      CatalogLive.pipe(Layer.provide(Layer.mergeAll(database.layer, Layer.succeed(AppConfig, settings))), Layer.provide(Logger.replace(Logger.defaultLogger, logger)))
    )
    const cell = Context.get(context, CatalogStore)
    const generation = () => (cell.current._tag === "Ready" ? cell.current.catalog.generation : cell.current._tag)
    const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length
    return { cell, generation, count, lines, state: database.state }
  })

const startCatalog = (reloadInterval: number) => startCatalogWith(makeDatabase(), reloadInterval)

/** Lets the forked loader and poller fibers run. */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("CatalogLive", () => {
  it.scoped("keeps V8's young generation at its size while it loads, and lets it grow again when done", () =>
    Effect.gen(function* () {
      const database = makeDatabase()
      const during: Array<number> = []
      const layer = Layer.succeed(Database, Database.of({
        ...Context.get(yield* Layer.build(database.layer), Database),
        readCollection: Effect.suspend(() => {
          during.push(v8FlagValue("semi-space-growth-factor"))
          return Effect.succeed({ columns: collectionColumns(emptyRows), generation: 1, scannedAt: new Date(0) })
        })
      }))
      const catalog = yield* startCatalogWith({ ...database, layer }, 0)
      yield* settle
      expect(catalog.generation()).toBe(1)
      expect(during).toEqual([1])
      expect(v8FlagValue("semi-space-growth-factor")).toBe(v8FlagDefaults["semi-space-growth-factor"])
    }))

  it.scoped("reloads when the scan generation changes, and only then", () =>
    Effect.gen(function* () {
      const catalog = yield* startCatalog(5)
      yield* settle
      expect(catalog.generation()).toBe(1)
      yield* TestClock.adjust(Duration.seconds(5))
      yield* settle
      expect(catalog.count(/reloaded/)).toBe(0)
      catalog.state.generation = 2
      yield* TestClock.adjust(Duration.seconds(4))
      yield* settle
      expect(catalog.generation()).toBe(1)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(catalog.generation()).toBe(2)
      expect(catalog.count(/reloaded: scan generation 1 -> 2: .*\(generation 2\)/)).toBe(1)
    }))

  it.scoped("warns once while the check fails, and says when it works again", () =>
    Effect.gen(function* () {
      const catalog = yield* startCatalog(1)
      yield* settle
      catalog.state.generationFails = true
      for (let i = 0; i < 5; i++) {
        yield* TestClock.adjust(Duration.seconds(1))
        yield* settle
      }
      expect(catalog.count(/checking the scan generation failed, will keep trying every 1 s: database down/)).toBe(1)
      catalog.state.generationFails = false
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(catalog.count(/checking the scan generation works again/)).toBe(1)
      expect(catalog.generation()).toBe(1)
    }))

  it.scoped("keeps serving the previous catalog when a reload fails", () =>
    Effect.gen(function* () {
      const catalog = yield* startCatalog(1)
      yield* settle
      catalog.state.generation = 2
      catalog.state.collectionFails = true
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(catalog.generation()).toBe(1)
      expect(catalog.count(/reload failed, still serving the previous collection: collection unreadable/)).toBe(1)
      catalog.state.collectionFails = false
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(catalog.generation()).toBe(2)
    }))

  it.scoped("never asks for the generation with RELOAD_INTERVAL = 0, but reloads on SIGHUP", () =>
    Effect.gen(function* () {
      const catalog = yield* startCatalog(0)
      yield* settle
      catalog.state.generation = 3
      yield* TestClock.adjust(Duration.minutes(10))
      yield* settle
      expect(catalog.state.generationReads).toBe(0)
      expect(catalog.generation()).toBe(1)
      process.emit("SIGHUP", "SIGHUP")
      yield* settle
      expect(catalog.generation()).toBe(3)
      expect(catalog.count(/reloaded on SIGHUP/)).toBe(1)
    }))

  it.scoped("retries a failed start-up with back-off, and at once on SIGHUP", () =>
    Effect.gen(function* () {
      const database = makeDatabase()
      database.state.collectionFails = true
      const catalog = yield* startCatalogWith(database, 0)
      yield* settle
      expect(catalog.generation()).toBe("Failed")
      expect(catalog.count(/next attempt in 1s/)).toBe(1)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(catalog.count(/next attempt in 2s/)).toBe(1)
      database.state.collectionFails = false
      process.emit("SIGHUP", "SIGHUP")
      yield* settle
      expect(catalog.generation()).toBe(1)
      expect(catalog.count(/started: /)).toBe(1)
    }))
})
