import { Cause, Effect, Layer, Runtime } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { ErrorReporter } from "../Observability/ErrorReporter.js"
import { Metrics } from "../Observability/Statsd.js"
import { tracingEnabled } from "../Observability/Tracing.js"
import { version } from "../Version.js"
import { CatalogStore } from "./CatalogStore.js"
import { keepNextTickMapsAlive } from "./keepNextTickMapsAlive.js"
import { listen } from "./listen.js"
import type { ListenError } from "./ListenError.js"
import { makeRequestHandler } from "./makeRequestHandler.js"

/** Where the server listens once started (tests ask for port 0 and read the real one here). */
export class HttpAddress extends Effect.Tag("avalon/HttpAddress")<HttpAddress, { readonly host: string; readonly port: number }>() {}

export const HttpLive: Layer.Layer<HttpAddress, ListenError, AppConfig | CatalogStore | Metrics | ErrorReporter> =
  Layer.scoped(
    HttpAddress,
    Effect.gen(function* () {
      yield* Effect.sync(keepNextTickMapsAlive)
      const settings = yield* AppConfig
      const cell = yield* CatalogStore
      const metrics = yield* Metrics
      const reporter = yield* ErrorReporter
      const runtime = yield* Effect.runtime<never>()
      const runFork = Runtime.runFork(runtime)
      const runSync = Runtime.runSync(runtime)
      const handler = makeRequestHandler({
        basePath: settings.REQUEST_PATH,
        version,
        responseCacheBytes: settings.RESPONSE_CACHE_MB * 1024 * 1024,
        cell,
        cacheControl: settings.CACHE_CONTROL,
        metrics,
        onUnexpected: (error, method, url) => {
          reporter.capture(error, { method, url })
          runFork(Effect.logError(`unexpected error answering ${method} ${url}`, Cause.die(error)))
        },
        ...(tracingEnabled(settings)
          ? {
            traced: (route, method, url, handle) =>
              runSync(Effect.withSpan(Effect.sync(handle), `${method} ${route}`, { kind: "server", attributes: { "http.method": method, "http.target": url } }))
          }
          : {})
      })
      const { port } = yield* listen(handler, {
        host: settings.HOST,
        port: settings.PORT,
        headersTimeoutMs: settings.HEADERS_TIMEOUT * 1000,
        keepAliveTimeoutMs: settings.KEEP_ALIVE_TIMEOUT * 1000
      })
      yield* Effect.logInfo(`listening on http://${settings.HOST.includes(":") ? `[${settings.HOST}]` : settings.HOST}:${port}${settings.REQUEST_PATH === "/" ? "" : settings.REQUEST_PATH}`)
      return { host: settings.HOST, port }
    })
  )
