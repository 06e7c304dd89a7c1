import { userInfo } from "node:os"
import { Data, Duration, Effect, Either, Layer, Queue, Schedule } from "effect"
import { buildCatalog } from "../Catalog/Catalog.js"
import { AppConfig } from "../Config/AppConfig.js"
import { Database } from "../Database/Database.js"
import { describeTarget } from "../Database/DatabaseUrl.js"
import { collectGarbageAndRelease } from "../Launch/collectGarbage.js"
import { setV8Flag, v8FlagDefaults } from "../Launch/setV8Flag.js"
import { version } from "../Version.js"
import { CatalogCell, CatalogStore } from "./CatalogStore.js"

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`

const who = () => {
  try {
    return `${userInfo().username} (uid ${process.getuid?.() ?? "?"}, gid ${process.getgid?.() ?? "?"})`
  } catch {
    return `uid ${process.getuid?.() ?? "?"}, gid ${process.getgid?.() ?? "?"}`
  }
}

/** Why a load happens: the first one, `kill -HUP`, or a newer scan seen in the database. */
export type LoadReason =
  | { readonly _tag: "StartUp" }
  | { readonly _tag: "Hangup" }
  | { readonly _tag: "NewScan"; readonly from: number; readonly to: number }

const describeReason = (reason: LoadReason) =>
  reason._tag === "StartUp" ? "started"
  : reason._tag === "Hangup" ? "reloaded on SIGHUP"
  : `reloaded: scan generation ${reason.from} -> ${reason.to}`

/**
 * Building the catalog threw, or the load died otherwise (a bug, or a broken install): reported and retried like
 * a failed read, never stopping the server, ending the loader or replacing a catalog that serves.
 */
class CatalogLoadError extends Data.TaggedError("CatalogLoadError")<{ readonly message: string }> {}

const describeDefect = (defect: unknown) => defect instanceof Error ? defect.stack ?? defect.message : String(defect)

/**
 * Keeps V8's young generation at its size during a load. A catalog build keeps most of what it allocates, so
 * V8 would grow the young generation to its 2 × 16 MB maximum, memory that the process then holds as
 * peak RSS for no gain (100k songs: peak RSS 189 MB -> 161 MB, the same CPU). V8 reads this flag each
 * time it considers growing that space, so setting it now takes effect.
 *
 * Serving is the opposite case: answers allocate a little each and keep nothing, and once a full collection has
 * shrunk the young generation (as V8 does when it finds it idle), a factor of 1 kept it at its smallest for good:
 * 3.2 × as many scavenges per request after a server had answered each benchmarked URL once (1,636 against 505
 * for as many `songs?artist` answers). So the factor is V8's own again once a load is done.
 */
const keepYoungGenerationSmall = () => setV8Flag("semi-space-growth-factor", 1)
const letYoungGenerationGrow = () => setV8Flag("semi-space-growth-factor", v8FlagDefaults["semi-space-growth-factor"])

/** Emptied heap pages worth a second collection after the read (see `loadInto`). */
const unreleasedHeapLimit = 20 * 1024 * 1024

/** Reads the whole collection and builds a new catalog beside the current one, then swaps it in. */
const loadInto = (cell: CatalogCell, reason: LoadReason) =>
  Effect.gen(function* () {
    keepYoungGenerationSmall()
    const db = yield* Database
    const { REQUEST_PATH } = yield* AppConfig
    const started = performance.now()
    const stored = yield* db.readCollection
    // What the read left behind (pages of text from the database, parsed) is garbage in the old generation, where
    // V8 would collect it only once the build has grown the heap: collected now, 100k songs peak at ~137 MB RSS
    // instead of 144–158 MB, for ~10 ms. PostgreSQL's rows leave 25–30 MB of emptied pages that one collection
    // does not give back: a second one brings the peak from 146–153 MB to 134–137 MB at 100k songs, for ~40 ms.
    // SQLite's pages of text leave ~15 MB, under the limit: there a second one would cost ~70 ms for ~1 MB.
    collectGarbageAndRelease(unreleasedHeapLimit)
    const catalog = yield* Effect.try({
      try: () => buildCatalog(stored.columns, { generation: stored.generation, loadedAt: stored.scannedAt ?? new Date(), changeLog: stored.changeLog }),
      catch: (error) => new CatalogLoadError({ message: `building the catalog failed: ${describeDefect(error)}` })
    })
    cell.swap(catalog)
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    yield* Effect.logInfo(
      `avalon ${version} ${describeReason(reason)}: request path ${REQUEST_PATH}, user ${who()}, ` +
        `${stored.columns.songs.size} songs, ${stored.columns.albums.size} albums, ${stored.columns.artists.size} artists, ` +
        `${stored.columns.genres.size} genres (generation ${stored.generation}) loaded in ${seconds} s from ${describeTarget(db.target)}, ` +
        `memory ${megabytes(process.memoryUsage().rss)} RSS`
    )
  }).pipe(
    Effect.catchAllDefect((defect) => new CatalogLoadError({ message: `loading the collection failed unexpectedly: ${describeDefect(defect)}` })),
    Effect.ensuring(Effect.sync(letYoungGenerationGrow))
  )

/** 1 s, 2 s, 4 s, … at most 30 s between start-up attempts. */
const startUpDelay = (attempt: number) => Duration.seconds(Math.min(30, 2 ** attempt))

/**
 * Holds the catalog and loads it in the background, so the HTTP server can listen (and the heartbeat wait)
 * meanwhile. Start-up failures are retried with back-off while the heartbeat answers NONONO (a SIGHUP retries
 * at once). Afterwards the catalog is rebuilt beside the current one and swapped in on SIGHUP and, every
 * RELOAD_INTERVAL seconds, when the database's scan generation differs from the catalog's; a failed reload
 * logs why and keeps serving the old catalog. Loads never overlap.
 */
export const CatalogLoader: Layer.Layer<never, never, CatalogStore | Database | AppConfig> = Layer.scopedDiscard(
  Effect.gen(function* () {
    const cell = yield* CatalogStore
    const db = yield* Database
    const { RELOAD_INTERVAL } = yield* AppConfig
    const loads = yield* Effect.makeSemaphore(1)
    // Signals that arrive while a load runs collapse into one follow-up load.
    const hangups = yield* Queue.dropping<void>(1)

    const load = (reason: LoadReason) => loads.withPermits(1)(loadInto(cell, reason))
    const reloadHoldingPermit = (reason: LoadReason) =>
      loadInto(cell, reason).pipe(
        Effect.catchAll((error) => Effect.logError(`reload failed, still serving the previous collection: ${error.message}`))
      )

    const startUp = Effect.gen(function* () {
      for (let attempt = 0; ; attempt++) {
        const loaded = yield* Effect.either(load({ _tag: "StartUp" }))
        if (Either.isRight(loaded)) return
        const error = loaded.left
        cell.fail(error.message)
        const delay = startUpDelay(attempt)
        yield* Effect.logError(
          `loading the collection failed, heartbeat answers NONONO until it succeeds (next attempt in ${Duration.format(delay)}): ${error.message}`
        )
        yield* Effect.timeout(Queue.take(hangups), delay).pipe(Effect.ignore)
      }
    })

    yield* Effect.forkScoped(
      Effect.zipRight(startUp, Effect.forever(Effect.zipRight(Queue.take(hangups), loads.withPermits(1)(reloadHoldingPermit({ _tag: "Hangup" })))))
    )

    const onHangup = () => void Queue.unsafeOffer(hangups, undefined)
    yield* Effect.acquireRelease(
      Effect.sync(() => process.on("SIGHUP", onHangup)),
      () => Effect.sync(() => process.off("SIGHUP", onHangup))
    )

    if (RELOAD_INTERVAL > 0) {
      let failing = false
      const checkGeneration = Effect.gen(function* () {
        const state = cell.current
        if (state._tag !== "Ready") return
        const generation = yield* db.readGeneration
        if (failing) yield* Effect.logInfo("checking the scan generation works again")
        failing = false
        if (generation !== state.catalog.generation) {
          yield* reloadHoldingPermit({ _tag: "NewScan", from: state.catalog.generation, to: generation })
        }
      }).pipe(
        // A tick that finds a load running (start-up, SIGHUP) skips it; the next tick sees any newer scan.
        loads.withPermitsIfAvailable(1),
        Effect.catchAll((error) =>
          failing
            ? Effect.void
            : Effect.zipRight(
              Effect.sync(() => { failing = true }),
              Effect.logWarning(`checking the scan generation failed, will keep trying every ${RELOAD_INTERVAL} s: ${error.message}`)
            ))
      )
      yield* Effect.forkScoped(Effect.repeat(checkGeneration, Schedule.spaced(Duration.seconds(RELOAD_INTERVAL))))
    }
  })
)

export const CatalogCellLive: Layer.Layer<CatalogStore> = Layer.sync(CatalogStore, () => new CatalogCell())

/** The cell and its loader together (the HTTP server composes them around itself, see serve.ts). */
export const CatalogLive: Layer.Layer<CatalogStore, never, Database | AppConfig> = CatalogLoader.pipe(Layer.provideMerge(CatalogCellLive))
