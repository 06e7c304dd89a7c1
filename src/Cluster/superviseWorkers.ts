import cluster, { type Worker } from "node:cluster"
import { Data, Duration, Effect, Option } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { version } from "../Version.js"
import { workerEnvironment } from "./workerEnvironment.js"

/** How long a stopping worker may take: its own 10 s grace for in-flight requests, plus a margin. */
const stopTimeout = Duration.seconds(15)
/** A worker that ran this long before dying was not crash-looping: its replacement starts after the shortest delay. */
const stableAfterMs = 10_000
/** 1 s, 2 s, 4 s, … at most 30 s before replacing a worker that keeps dying. */
export const restartDelay = (failures: number): Duration.Duration => Duration.seconds(Math.min(30, 2 ** Math.max(0, failures - 1)))

type WorkerExit = { readonly code: number | null; readonly signal: string | null }

type Running = {
  readonly worker: Worker
  readonly pid: number
  readonly exited: Promise<WorkerExit>
}

/** A worker died before it ever listened, and no worker had listened yet: the others would fail the same way. */
export class WorkerStartError extends Data.TaggedError("WorkerStartError")<{ readonly message: string; readonly exitCode: number }> {}

const describeExit = ({ code, signal }: WorkerExit) => (signal !== null ? `was killed by ${signal}` : `exited with code ${code}`)

const fork = Effect.sync((): Running => {
  const worker = cluster.fork(workerEnvironment(process.env))
  const exited = new Promise<WorkerExit>((resolve) => worker.once("exit", (code, signal) => resolve({ code, signal })))
  return { worker, pid: worker.process.pid ?? 0, exited }
})

/** SIGTERM, then the worker drains its in-flight requests and exits; SIGKILL if it takes longer than the bound. */
const stop = (slot: number, { exited, pid, worker }: Running) =>
  Effect.gen(function* () {
    if (worker.isDead()) return
    yield* Effect.logInfo(`stopping worker ${slot} (pid ${pid}): it finishes its in-flight requests, then exits`)
    worker.process.kill("SIGTERM")
    const stopped = yield* Effect.promise(() => exited).pipe(Effect.timeout(stopTimeout), Effect.option)
    if (Option.isSome(stopped)) {
      if (stopped.value.code !== 0) yield* Effect.logWarning(`worker ${slot} (pid ${pid}) ${describeExit(stopped.value)} while stopping`)
      return
    }
    yield* Effect.logError(`worker ${slot} (pid ${pid}) did not stop within ${Duration.format(stopTimeout)}; killing it`)
    worker.process.kill("SIGKILL")
    yield* Effect.promise(() => exited)
  })

/**
 * The primary process of `serve --workers N`. It neither loads the catalog nor reads the database: it runs N
 * workers sharing one port (node:cluster), replaces a worker that dies (after 1 s, 2 s, 4 s, … at most 30 s
 * while it keeps dying young), forwards SIGHUP to the workers, and when interrupted (SIGINT/SIGTERM) sends
 * each worker SIGTERM and waits for it to finish its in-flight requests and exit.
 */
export const superviseWorkers = Effect.gen(function* () {
  const { HOST, PORT, WORKERS } = yield* AppConfig
  const listening = new Set<number>()
  let anyListened = false
  const onListening = (worker: Worker) => {
    anyListened = true
    listening.add(worker.id)
  }
  const onExit = (worker: Worker) => void listening.delete(worker.id)
  // A worker that is not listening yet has no SIGHUP handler (the signal would kill it), and its start-up load
  // reads the newest collection anyway.
  const forwardHangup = () => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && listening.has(worker.id) && !worker.isDead()) worker.process.kill("SIGHUP")
    }
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      cluster.on("listening", onListening)
      cluster.on("exit", onExit)
      process.on("SIGHUP", forwardHangup)
    }),
    () =>
      Effect.sync(() => {
        cluster.off("listening", onListening)
        cluster.off("exit", onExit)
        process.off("SIGHUP", forwardHangup)
      })
  )

  const superviseSlot = (slot: number) =>
    Effect.gen(function* () {
      let failures = 0
      for (;;) {
        const startedAt = Date.now()
        const { exit, pid, listened } = yield* Effect.acquireUseRelease(
          fork,
          (running) =>
            Effect.map(Effect.promise(() => running.exited), (exit) => ({ exit, pid: running.pid, listened: anyListened })),
          (running) => stop(slot, running)
        )
        if (!listened) {
          return yield* new WorkerStartError({
            message: `worker ${slot} (pid ${pid}) ${describeExit(exit)} before any worker could listen; stopping`,
            exitCode: exit.code !== null && exit.code !== 0 ? exit.code : 1
          })
        }
        failures = Date.now() - startedAt >= stableAfterMs ? 1 : failures + 1
        const delay = restartDelay(failures)
        yield* Effect.logError(`worker ${slot} (pid ${pid}) ${describeExit(exit)}; starting a new one in ${Duration.format(delay)}`)
        yield* Effect.sleep(delay)
      }
    })

  yield* Effect.logInfo(`avalon ${version} primary (pid ${process.pid}): starting ${WORKERS} workers for ${HOST}:${PORT}`)
  yield* Effect.forEach(Array.from({ length: WORKERS }, (_, index) => index + 1), superviseSlot, { concurrency: "unbounded", discard: true }).pipe(
    Effect.ensuring(Effect.logInfo("all workers stopped"))
  )
}).pipe(Effect.scoped)
