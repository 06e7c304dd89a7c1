import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Settings } from "../../src/Config/Settings.js"
import { TracingLive, tracingEnabled } from "../../src/Observability/Tracing.js"
import { configLayer, httpRecorder, unusedUdpPort } from "./fixtures.js"

const traced = Effect.succeed("result").pipe(
  Effect.tap(() => Effect.void.pipe(Effect.withSpan("Catalog.query"))),
  Effect.withSpan("GET /avalon/songs", { attributes: { "avalon.endpoint": "songs" } })
)

const withTracing = <A, E>(overrides: Partial<Settings>, program: Effect.Effect<A, E>) =>
  program.pipe(Effect.provide(TracingLive), Effect.provide(configLayer(overrides)))

type OtlpSpan = { readonly name: string; readonly traceId: string; readonly spanId: string; readonly parentSpanId?: string }
type OtlpExport = {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: { readonly stringValue?: string } }> }
    readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<OtlpSpan> }>
  }>
}

describe("TracingLive", () => {
  it("is enabled only by a non-empty OTLP_TRACES_URL", () => {
    expect(tracingEnabled({ OTLP_TRACES_URL: "" })).toBe(false)
    expect(tracingEnabled({ OTLP_TRACES_URL: "http://127.0.0.1:4318/v1/traces" })).toBe(true)
  })

  it.scopedLive("exports the spans to a real OTLP/HTTP endpoint when the layer closes", () =>
    Effect.gen(function*() {
      const collector = yield* httpRecorder
      const result = yield* withTracing({ OTLP_TRACES_URL: `http://127.0.0.1:${collector.port}/v1/traces` }, traced)
      expect(result).toBe("result")
      const requests = yield* collector.waitForRequests(1)
      expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v1/traces"])
      const body = JSON.parse(requests[0]!.body.toString("utf8")) as OtlpExport
      const resource = body.resourceSpans[0]!.resource.attributes
      expect(resource.find((a) => a.key === "service.name")?.value.stringValue).toBe("avalon")
      const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
      const parent = spans.find((s) => s.name === "GET /avalon/songs")
      const child = spans.find((s) => s.name === "Catalog.query")
      expect(parent).toBeDefined()
      expect(child?.traceId).toBe(parent?.traceId)
      expect(child?.parentSpanId).toBe(parent?.spanId)
    }))

  it.scopedLive("sends nothing when OTLP_TRACES_URL is empty", () =>
    Effect.gen(function*() {
      const collector = yield* httpRecorder
      yield* withTracing({ OTLP_TRACES_URL: "" }, traced)
      yield* Effect.sleep("200 millis")
      expect(collector.requests).toEqual([])
    }))

  it.live("keeps working, and closes promptly, when the collector is down", () =>
    Effect.gen(function*() {
      const port = yield* unusedUdpPort
      const started = Date.now()
      const result = yield* withTracing({ OTLP_TRACES_URL: `http://127.0.0.1:${port}/v1/traces` }, traced)
      expect(result).toBe("result")
      expect(Date.now() - started).toBeLessThan(5000)
    }))

  it.live("rejects an OTLP_TRACES_URL that is not an http(s) URL", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withTracing({ OTLP_TRACES_URL: "grpc://127.0.0.1:4317" }, traced))
      expect(error.message).toBe("OTLP_TRACES_URL is not usable: the scheme must be http or https, not grpc")
      const notUrl = yield* Effect.flip(withTracing({ OTLP_TRACES_URL: "not a url" }, traced))
      expect(notUrl.message).toBe("OTLP_TRACES_URL is not usable: it is not a URL (expected e.g. http://127.0.0.1:4318/v1/traces)")
    }))
})
