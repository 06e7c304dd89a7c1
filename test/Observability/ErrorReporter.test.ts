import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect } from "effect"
import type { Settings } from "../../src/Config/Settings.js"
import { ErrorReporter, ErrorReporterLive, ErrorReporterNoop, sentryImportCount } from "../../src/Observability/ErrorReporter.js"
import { configLayer, httpRecorder } from "./fixtures.js"

const withReporter = <A, E>(overrides: Partial<Settings>, program: Effect.Effect<A, E, ErrorReporter>) =>
  program.pipe(Effect.provide(ErrorReporterLive), Effect.provide(configLayer(overrides)))

const envelopes = <R extends { readonly url: string }>(requests: ReadonlyArray<R>) => requests.filter((r) => r.url.startsWith("/api/1/envelope/"))

describe("ErrorReporter", () => {
  // first on purpose: nothing in this file has loaded @sentry/node yet
  it.scopedLive("does nothing and never imports @sentry/node without SENTRY_DSN", () =>
    Effect.gen(function*() {
      const server = yield* httpRecorder
      yield* withReporter(
        { SENTRY_DSN: "" },
        Effect.flatMap(ErrorReporter, (reporter) => {
          reporter.capture(new Error("ignored"))
          return Effect.promise(reporter.flush)
        })
      )
      yield* Effect.flatMap(ErrorReporter, (reporter) => Effect.sync(() => reporter.capture("ignored too"))).pipe(
        Effect.provide(ErrorReporterNoop)
      )
      yield* Effect.sleep("100 millis")
      expect(server.requests).toEqual([])
      expect(sentryImportCount()).toBe(0)
    }))

  it.scopedLive("sends a captured error to the DSN's host, with context, passwords masked", () =>
    Effect.gen(function*() {
      const server = yield* httpRecorder
      yield* withReporter(
        { SENTRY_DSN: `http://publickey@127.0.0.1:${server.port}/1` },
        Effect.flatMap(ErrorReporter, (reporter) => {
          reporter.capture(new Error("kaboom while reading postgresql://avalon:hunter22@db/music"), {
            endpoint: "songs",
            database: "postgresql://avalon:hunter22@db/music"
          })
          return Effect.promise(reporter.flush)
        })
      )
      const sent = envelopes(server.requests)
      expect(sent).toHaveLength(1)
      const [request] = sent
      expect(request?.method).toBe("POST")
      expect(request?.url).toContain("sentry_key=publickey")
      const body = request?.body.toString("utf8") ?? ""
      expect(body).toContain("kaboom while reading postgresql://avalon:***@db/music")
      expect(body).not.toContain("hunter22")
      expect(body).toContain(`"extra":{"endpoint":"songs","database":"postgresql://avalon:***@db/music"}`)
      expect(body).toContain(`"release":"avalon@`)
      expect(sentryImportCount()).toBe(1)
    }))

  it.scopedLive("flushes on scope release, and reports an Effect Cause by its error", () =>
    Effect.gen(function*() {
      const server = yield* httpRecorder
      yield* withReporter(
        { SENTRY_DSN: `http://publickey@127.0.0.1:${server.port}/1` },
        Effect.map(ErrorReporter, (reporter) => reporter.capture(Cause.fail(new Error("failed inside a fiber"))))
      )
      const sent = yield* server.waitForRequests(1)
      const body = envelopes(sent).map((r) => r.body.toString("utf8")).join("\n")
      expect(body).toContain("failed inside a fiber")
      expect(body).toContain(`"type":"Error"`)
    }))

  it.live.each([
    ["ftp://secretkey123@example.com/1", "the scheme must be http or https, not ftp"],
    ["https://secretkey123@example.com/project", "the path must end with a numeric project id"],
    ["https://example.com/1", "expected http(s)://<public key>@<host>[:<port>]/<project id>"],
    ["secretkey123", "expected http(s)://<public key>@<host>[:<port>]/<project id>"]
  ] as const)("rejects the DSN %s with a ConfigError that does not print it", ([dsn, reason]) =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withReporter({ SENTRY_DSN: dsn }, ErrorReporter))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toBe(`SENTRY_DSN is not a valid Sentry DSN: ${reason}`)
      expect(error.message).not.toContain("secretkey123")
    }))
})
