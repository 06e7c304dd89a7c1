import { Effect, Layer } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { ConfigError } from "../Config/ConfigError.js"
import type { Settings } from "../Config/Settings.js"
import { version } from "../Version.js"

export const tracingEnabled = (settings: Pick<Settings, "OTLP_TRACES_URL">): boolean => settings.OTLP_TRACES_URL !== ""

const loadOpenTelemetry = () =>
  Promise.all([
    import("@effect/opentelemetry/NodeSdk"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http")
  ])

/** Exports Effect spans to an OTLP/HTTP (JSON) endpoint in batches; pending spans are flushed when the scope closes. */
export const otlpTracingLayer = (url: string): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.map(Effect.promise(loadOpenTelemetry), ([NodeSdk, { BatchSpanProcessor }, { OTLPTraceExporter }]) =>
      NodeSdk.layer(() => ({
        resource: { serviceName: "avalon", serviceVersion: version },
        spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url }))
      })))
  )

const urlProblem = (url: string): string | undefined => {
  try {
    const { protocol } = new URL(url)
    return protocol === "http:" || protocol === "https:" ? undefined : `the scheme must be http or https, not ${protocol.slice(0, -1)}`
  } catch {
    return "it is not a URL (expected e.g. http://127.0.0.1:4318/v1/traces)"
  }
}

export const TracingLive: Layer.Layer<never, ConfigError, AppConfig> = Layer.unwrapEffect(
  Effect.flatMap(AppConfig, (settings) => {
    if (!tracingEnabled(settings)) return Effect.succeed(Layer.empty)
    const problem = urlProblem(settings.OTLP_TRACES_URL)
    return problem === undefined
      ? Effect.succeed(otlpTracingLayer(settings.OTLP_TRACES_URL))
      : Effect.fail(new ConfigError({ message: `OTLP_TRACES_URL is not usable: ${problem}` }))
  })
)
