import { lookup } from "node:dns/promises"
import { isIP } from "node:net"
import { Clock, Effect, Either, Layer, Schedule, type Scope } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import type { Settings } from "../Config/Settings.js"
import { makeStatsdSender, type StatsdSender } from "./StatsdSender.js"

export type MetricsShape = {
  /** Sends `<prefix>.<name>:<ms>|ms`; never throws, never waits. */
  readonly timing: (name: string, ms: number) => void
  /** Sends `<prefix>.<name>:<by>|c`; never throws, never waits. */
  readonly increment: (name: string, by?: number) => void
}

const noop: MetricsShape = { timing: () => {}, increment: () => {} }

const closeSender = (sender: StatsdSender) =>
  Effect.promise(sender.close).pipe(Effect.timeoutOption("1 second"), Effect.asVoid)

/** One address for the host, IPv4 first: sends never do DNS (a slow resolver cannot pile up sends). */
const resolveHost = (host: string) =>
  isIP(host) !== 0
    ? Effect.succeed(host)
    : Effect.tryPromise(() => lookup(host, { all: true })).pipe(
      Effect.flatMap((addresses) => {
        const address = addresses.find((a) => a.family === 4) ?? addresses[0]
        return address === undefined ? Effect.fail(new Error(`${host} has no address`)) : Effect.succeed(address.address)
      }),
      Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => new Error(`resolving ${host} timed out`) })
    )

type StatsdSettings = Pick<Settings, "STATSD_HOST" | "STATSD_PORT" | "STATSD_PREFIX">

const connect = (settings: StatsdSettings, address: string) =>
  Effect.acquireRelease(
    Effect.sync(() => makeStatsdSender({ address, port: settings.STATSD_PORT, prefix: settings.STATSD_PREFIX })),
    closeSender
  )

/**
 * A statsd client over UDP (lines batched into datagrams, see StatsdSender); send errors (no daemon) are discarded. STATSD_HOST "" disables it. A host
 * name is resolved once; while it does not resolve, metrics are dropped and resolution is retried every minute.
 */
export const makeStatsd = (settings: StatsdSettings): Effect.Effect<MetricsShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (settings.STATSD_HOST === "") return noop
    let client: StatsdSender | undefined
    const attach = resolveHost(settings.STATSD_HOST).pipe(
      Effect.flatMap((address) => connect(settings, address)),
      Effect.map((connected) => {
        client = connected
      })
    )
    const first = yield* Effect.either(attach)
    if (Either.isLeft(first)) {
      yield* Effect.logDebug(`statsd host ${settings.STATSD_HOST} does not resolve (${first.left.message}); metrics are dropped`)
      yield* attach.pipe(Effect.retry(Schedule.spaced("1 minute")), Effect.ignore, Effect.forkScoped)
    }
    return {
      timing: (name, ms) => client?.send(name, ms, "ms"),
      increment: (name, by = 1) => client?.send(name, by, "c")
    }
  })

export class Metrics extends Effect.Service<Metrics>()("avalon/Metrics", {
  scoped: Effect.flatMap(AppConfig, makeStatsd)
}) {}

export const MetricsLive: Layer.Layer<Metrics, never, AppConfig> = Metrics.Default

export const MetricsNoop: Layer.Layer<Metrics> = Layer.succeed(Metrics, Metrics.make(noop))

/** Times an effect (success or failure) under `<prefix>.<name>` in milliseconds. */
export const withTiming = (name: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Metrics> =>
  Effect.flatMap(Effect.zip(Metrics, Clock.currentTimeNanos), ([metrics, start]) =>
    Effect.onExit(self, () =>
      Effect.map(Clock.currentTimeNanos, (end) => metrics.timing(name, Math.round(Number(end - start) / 1000) / 1000))))
