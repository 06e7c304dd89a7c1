import { userInfo } from "node:os"
import { Duration, Effect, Layer, Runtime, Schedule } from "effect"
import { buildCatalog } from "../Catalog/Catalog.js"
import { AppConfig } from "../Config/AppConfig.js"
import { Database } from "../Database/Database.js"
import { describeTarget } from "../Database/DatabaseUrl.js"
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

/** Reads the whole collection and builds a new catalog beside the current one, then swaps it in. */
const loadInto = (cell: CatalogCell, what: "start-up" | "reload") =>
  Effect.gen(function* () {
    const db = yield* Database
    const { REQUEST_PATH } = yield* AppConfig
    const started = performance.now()
    const stored = yield* db.readCollection
    const catalog = buildCatalog(stored.rows, { generation: stored.generation, loadedAt: stored.scannedAt ?? new Date() })
    cell.swap(catalog)
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    yield* Effect.logInfo(
      `avalon ${version} ${what === "start-up" ? "started" : "reloaded"}: request path ${REQUEST_PATH}, user ${who()}, ` +
        `${stored.rows.songs.length} songs, ${stored.rows.albums.length} albums, ${stored.rows.artists.length} artists, ` +
        `${stored.rows.genres.length} genres (generation ${stored.generation}) loaded in ${seconds} s from ${describeTarget(db.target)}, ` +
        `memory ${megabytes(process.memoryUsage().rss)} RSS`
    )
  })

const startUpRetry = Schedule.exponential(Duration.seconds(1)).pipe(Schedule.either(Schedule.spaced(Duration.seconds(30))))

/**
 * Holds the catalog and loads it in the background, so the HTTP server can listen (and the heartbeat wait)
 * meanwhile. Start-up failures are retried with back-off while the heartbeat answers NONONO; SIGHUP reloads,
 * and a failed reload keeps the old catalog.
 */
export const CatalogLive: Layer.Layer<CatalogStore, never, Database | AppConfig> = Layer.scoped(
  CatalogStore,
  Effect.gen(function* () {
    const cell = new CatalogCell()
    const startUp = loadInto(cell, "start-up").pipe(
      Effect.tapError((error) =>
        Effect.zipRight(
          Effect.sync(() => cell.fail(error.message)),
          Effect.logError(`loading the collection failed, heartbeat answers NONONO until it succeeds: ${error.message}`)
        )),
      Effect.retry(startUpRetry)
    )
    yield* Effect.forkScoped(startUp)

    const runtime = yield* Effect.runtime<Database | AppConfig>()
    const reload = () =>
      Runtime.runFork(runtime)(
        loadInto(cell, "reload").pipe(
          Effect.catchAll((error) => Effect.logError(`reload failed, still serving the previous collection: ${error.message}`))
        )
      )
    yield* Effect.acquireRelease(
      Effect.sync(() => process.on("SIGHUP", reload)),
      () => Effect.sync(() => process.off("SIGHUP", reload))
    )
    return cell
  })
)
