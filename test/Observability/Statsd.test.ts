import { describe, expect, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import type { Settings } from "../../src/Config/Settings.js"
import { Metrics, MetricsLive, MetricsNoop, withTiming } from "../../src/Observability/Statsd.js"
import { configLayer, udpReceiver, unusedUdpPort } from "./fixtures.js"

const withMetrics = <A, E>(overrides: Partial<Settings>, program: Effect.Effect<A, E, Metrics>) =>
  program.pipe(Effect.provide(MetricsLive), Effect.provide(configLayer(overrides)))

describe("Metrics", () => {
  it.scopedLive("sends prefixed timers and counters to a real UDP socket", () =>
    Effect.gen(function*() {
      const receiver = yield* udpReceiver
      yield* withMetrics(
        { STATSD_HOST: "127.0.0.1", STATSD_PORT: receiver.port },
        Effect.gen(function*() {
          const metrics = yield* Metrics
          metrics.timing("request.songs", 12)
          metrics.increment("scan.files")
          metrics.increment("scan.files", 3)
          yield* receiver.waitForPackets(3)
        })
      )
      expect(receiver.packets).toEqual(["avalon.request.songs:12|ms", "avalon.scan.files:1|c", "avalon.scan.files:3|c"])
    }))

  it.scopedLive("resolves a host name and uses a dotted prefix as given", () =>
    Effect.gen(function*() {
      const receiver = yield* udpReceiver
      yield* withMetrics(
        { STATSD_HOST: "localhost", STATSD_PORT: receiver.port, STATSD_PREFIX: "avalon.prd" },
        Effect.flatMap(Metrics, (metrics) => {
          metrics.timing("request.albums", 3.5)
          return receiver.waitForPackets(1)
        })
      )
      expect(receiver.packets).toEqual(["avalon.prd.request.albums:3.5|ms"])
    }))

  it.scopedLive("times an effect, failed or not, with withTiming", () =>
    Effect.gen(function*() {
      const receiver = yield* udpReceiver
      const outcome = yield* withMetrics(
        { STATSD_HOST: "127.0.0.1", STATSD_PORT: receiver.port },
        Effect.gen(function*() {
          yield* Effect.sleep("30 millis").pipe(withTiming("request.artists"))
          const failed = yield* Effect.fail("nope").pipe(withTiming("request.genres"), Effect.flip)
          yield* receiver.waitForPackets(2)
          return failed
        })
      )
      expect(outcome).toBe("nope")
      const [artists, genres] = receiver.packets
      const artistsMs = Number(/^avalon\.request\.artists:([\d.]+)\|ms$/.exec(artists ?? "")?.[1])
      expect(artistsMs).toBeGreaterThanOrEqual(25)
      expect(artistsMs).toBeLessThan(1000)
      expect(genres).toMatch(/^avalon\.request\.genres:[\d.]+\|ms$/)
    }))

  it.live("has no effect at all when nothing listens, or the host does not resolve", () =>
    Effect.gen(function*() {
      const port = yield* unusedUdpPort
      const consoleError = vi.spyOn(console, "error")
      const consoleWarn = vi.spyOn(console, "warn")
      try {
        for (const host of ["127.0.0.1", "statsd.invalid"]) {
          const result = yield* withMetrics(
            { STATSD_HOST: host, STATSD_PORT: port },
            Effect.gen(function*() {
              const metrics = yield* Metrics
              for (let i = 0; i < 20; i++) {
                metrics.timing("request.songs", i)
                metrics.increment("errors")
                yield* Effect.sleep("5 millis")
              }
              yield* Effect.sleep("100 millis")
              metrics.timing("request.songs", 1)
              return "still here"
            })
          )
          expect(result).toBe("still here")
        }
        expect(consoleError).not.toHaveBeenCalled()
        expect(consoleWarn).not.toHaveBeenCalled()
      } finally {
        consoleError.mockRestore()
        consoleWarn.mockRestore()
      }
    }))

  it.scopedLive("sends nothing when STATSD_HOST is empty, and MetricsNoop never sends", () =>
    Effect.gen(function*() {
      const receiver = yield* udpReceiver
      yield* withMetrics({ STATSD_HOST: "", STATSD_PORT: receiver.port }, Effect.map(Metrics, (m) => m.timing("request.songs", 1)))
      yield* Effect.map(Metrics, (m) => m.increment("request.songs")).pipe(Effect.provide(MetricsNoop))
      yield* Effect.sleep("100 millis")
      expect(receiver.packets).toEqual([])
    }))
})
