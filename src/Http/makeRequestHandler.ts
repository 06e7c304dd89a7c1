import type { IncomingMessage, ServerResponse } from "node:http"
import { UnknownError } from "../Catalog/ApiError.js"
import type { Endpoint } from "../Catalog/queryCatalog.js"
import type { MetricsShape } from "../Observability/Statsd.js"
import { type Answer, answerRequest, errorAnswer, methodNotAllowed, notFound } from "./answerRequest.js"
import type { CatalogCell } from "./CatalogStore.js"
import { makeDocumentationAnswers } from "./documentationAnswers.js"
import { makeListResponder } from "./makeListResponder.js"
import { maxUrlLength, protocolErrorAnswer } from "./protocolErrors.js"
import { isStaticRoute, makeRoutes, type Route } from "./routes.js"

export type RequestHandlerOptions = {
  readonly basePath: string
  readonly version: string
  /** Budget of the cache of computed answers per catalog, in bytes (0: none). */
  readonly responseCacheBytes?: number
  readonly cell: CatalogCell
  readonly metrics: MetricsShape
  /** The Cache-Control header of list answers (the CACHE_CONTROL setting); empty or absent: none. */
  readonly cacheControl?: string
  /** Called with any unexpected failure (it is then answered with code 1 / 500). */
  readonly onUnexpected: (error: unknown, method: string, url: string) => void
  /** Wraps the handling of one request in a trace span when tracing is on. */
  readonly traced?: (route: Route, method: string, url: string, handle: () => void) => void
}

const timed = new Set<Route>(["songs", "albums", "artists", "genres", "changes"])
const lists = new Set<Route>(["songs", "albums", "artists", "genres"])
const isList = (route: Route): route is Endpoint => lists.has(route)

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
  const responseCacheBytes = options.responseCacheBytes ?? 0
  const respondWithList = makeListResponder({
    basePath: options.basePath,
    version: options.version,
    cacheControl: options.cacheControl ?? "",
    responseCacheBytes,
    onUnexpected: options.onUnexpected,
    send
  })

  const respond = (request: IncomingMessage, response: ServerResponse, route: Route, search: string) => {
    const method = request.method ?? "GET"
    const started = timed.has(route) ? performance.now() : 0
    try {
      const state = cell.current
      if (isStaticRoute(route)) {
        send(response, method, (documentation ??= makeDocumentationAnswers(options.basePath, options.version))[route])
      } else if (state._tag === "Ready" && isList(route)) {
        respondWithList(request, response, state, route, search)
      } else {
        send(response, method, answerRequest(state, route, search, options.version, responseCacheBytes))
      }
    } catch (error) {
      options.onUnexpected(error, method, request.url ?? "")
      if (!response.headersSent) send(response, method, errorAnswer(UnknownError.default()))
      else response.destroy()
    }
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
