import cluster from "node:cluster"
import { Effect, Layer } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { CatalogCellLive, CatalogLoader } from "./CatalogLive.js"
import { HttpLive } from "./HttpLive.js"

/** The server: HTTP listening at once, the catalog loading beside it. Runs until interrupted (SIGINT/SIGTERM). */
// Listening comes before loading: a SQLite load is synchronous and would otherwise hold the port closed.
export const ServerLive = CatalogLoader.pipe(Layer.provideMerge(HttpLive), Layer.provideMerge(CatalogCellLive))

const supervise = Effect.flatMap(Effect.promise(() => import("../Cluster/superviseWorkers.js")), (module) =>
  module.superviseWorkers.pipe(
    Effect.catchTag("WorkerStartError", (error) =>
      Effect.zipRight(Effect.logError(error.message), Effect.sync(() => { process.exitCode = error.exitCode }))
    )
  ))

/**
 * One process serves by itself; with WORKERS > 1 this process becomes the cluster primary (which never loads
 * the catalog) and each worker it forks runs the same command, lands here as a worker, and serves.
 */
export const serve = Effect.flatMap(AppConfig, ({ WORKERS }) =>
  WORKERS > 1 && cluster.isPrimary ? supervise : Layer.launch(ServerLive))
