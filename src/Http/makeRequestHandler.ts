import type { IncomingMessage, ServerResponse } from "node:http"
import { UnknownError } from "../Catalog/ApiError.js"
import type { MetricsShape } from "../Observability/Statsd.js"
import { type Answer, answerRequest, errorAnswer, methodNotAllowed, notFound } from "./answerRequest.js"
import type { CatalogCell } from "./CatalogStore.js"
import { makeDocumentationAnswers } from "./documentationAnswers.js"
import { maxUrlLength, protocolErrorAnswer } from "./protocolErrors.js"
import { isStaticRoute, makeRoutes, type Route } from "./routes.js"

export type RequestHandlerOptions = {
  readonly basePath: string
  readonly version: string
  /** Budget of the cache of computed answers per catalog, in bytes (0: none). */
  readonly responseCacheBytes?: number
  readonly cell: CatalogCell
  readonly metrics: MetricsShape
  /** Called with any unexpected failure (it is then answered with code 1 / 500). */
  readonly onUnexpected: (error: unknown, method: string, url: string) => void
  /** Wraps the handling of one request in a trace span when tracing is on. */
  readonly traced?: (route: Route, method: string, url: string, handle: () => void) => void
}

const timed = new Set<Route>(["songs", "albums", "artists", "genres", "changes"])

const decodePath = (path: string): string => {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

const hasBody = (request: IncomingMessage): boolean =>
  request.headers["transfer-encoding"] !== undefined || (request.headers["content-length"] !== undefined && request.headers["content-length"] !== "0")

const send = (response: ServerResponse, method: string, answer: Answer): void => {
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body
  response.writeHead(answer.status, {
    "content-type": answer.contentType,
    "content-length": body.length,
    ...answer.headers
  })
  response.end(method === "HEAD" ? undefined : body)
}

/** The bare `node:http` handler: route, answer synchronously from the current catalog, write, time. */
export const makeRequestHandler = (options: RequestHandlerOptions) => {
  const routes = makeRoutes(options.basePath)
  // Built on first use (about 20–40 ms of a cold start, which most servers never need), then served as is.
  let documentation: ReturnType<typeof makeDocumentationAnswers> | undefined
  const { cell, metrics } = options

  const respond = (request: IncomingMessage, response: ServerResponse, route: Route, search: string) => {
    const method = request.method ?? "GET"
    const started = timed.has(route) ? performance.now() : 0
    let answer: Answer
    try {
      answer = isStaticRoute(route)
        ? (documentation ??= makeDocumentationAnswers(options.basePath, options.version))[route]
        : answerRequest(cell.current, route, search, options.version, options.responseCacheBytes ?? 0)
    } catch (error) {
      options.onUnexpected(error, method, request.url ?? "")
      answer = errorAnswer(UnknownError.default())
    }
    send(response, method, answer)
    if (started !== 0) metrics.timing(`request.${route}`, performance.now() - started)
  }

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/"
    const method = request.method ?? "GET"
    try {
      if (url.length > maxUrlLength) return send(response, method, protocolErrorAnswer("uriTooLong"))
      if (hasBody(request)) return send(response, method, protocolErrorAnswer("bodyNotAllowed"))
      const queryStart = url.indexOf("?")
      const path = decodePath(queryStart === -1 ? url : url.slice(0, queryStart))
      const search = queryStart === -1 ? "" : url.slice(queryStart + 1)
      const route = routes.get(path)
      if (route === undefined) return send(response, method, notFound(path))
      if (method !== "GET" && method !== "HEAD") return send(response, method, methodNotAllowed(method, path))
      const run = () => respond(request, response, route, search)
      const traced = options.traced === undefined ? run : () => options.traced!(route, method, url, run)
      if (cell.current._tag === "Loading" && !isStaticRoute(route)) void cell.settled().then(traced)
      else traced()
    } catch (error) {
      options.onUnexpected(error, method, url)
      if (!response.headersSent) send(response, method, errorAnswer(UnknownError.default()))
      else response.destroy()
    }
  }
  return handle
}
