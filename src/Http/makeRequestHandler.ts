import type { IncomingMessage, ServerResponse } from "node:http"
import { performance } from "node:perf_hooks"
import { UnknownError } from "../Catalog/ApiError.js"
import type { Catalog } from "../Catalog/Catalog.js"
import type { Endpoint } from "../Catalog/queryCatalog.js"
import type { MetricsShape } from "../Observability/Statsd.js"
import { type Answer, answerRequest, errorAnswer, methodNotAllowed, notFound } from "./answerRequest.js"
import type { CatalogCell, CatalogState } from "./CatalogStore.js"
import { makeDocumentationAnswers } from "./documentationAnswers.js"
import { headerList } from "./headerList.js"
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

// Statsd timer names per timed route, built once (a request must not build a string for it).
const timerNames: Partial<Record<Route, string>> & Record<Endpoint | "changes", string> = {
  songs: "request.songs",
  albums: "request.albums",
  artists: "request.artists",
  genres: "request.genres",
  changes: "request.changes"
}
const lists = new Set<Route>(["songs", "albums", "artists", "genres"])
const isList = (route: Route): route is Endpoint => lists.has(route)

const decodePath = (path: string): string => {
  // decodeURIComponent copies the path through a C++ buffer even when it holds no escape.
  if (!path.includes("%")) return path
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

const hasBody = (request: IncomingMessage): boolean =>
  request.headers["transfer-encoding"] !== undefined || (request.headers["content-length"] !== undefined && request.headers["content-length"] !== "0")

/** An answer as it is written: status, every header it sets, body. */
type WrittenAnswer = { readonly status: number; readonly headers: Array<string>; readonly body: Buffer }

const prepare = (answer: Answer): WrittenAnswer => {
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body
  const headers: Record<string, string | number> = { "content-type": answer.contentType, "content-length": body.length }
  if (answer.headers !== undefined) Object.assign(headers, answer.headers)
  return { status: answer.status, headers: headerList(headers), body }
}

const write = (response: ServerResponse, method: string, { body, headers, status }: WrittenAnswer): void => {
  response.writeHead(status, headers)
  response.end(method === "HEAD" ? undefined : body)
}

const send = (response: ServerResponse, method: string, answer: Answer): void => write(response, method, prepare(answer))

/** How many `changes` answers a catalog keeps: polling clients ask for the few latest generations. */
const rememberedChangesLimit = 64

/** The bare `node:http` handler: route, answer synchronously from the current catalog, write, time. */
export const makeRequestHandler = (options: RequestHandlerOptions) => {
  const routes = makeRoutes(options.basePath)
  // Built on first use (about 20–40 ms of a cold start, which most servers never need), then served as is.
  let documentation: ReturnType<typeof makeDocumentationAnswers> | undefined
  const { cell, metrics } = options
  const responseCacheBytes = options.responseCacheBytes ?? 0
  const lists = makeListResponder({
    basePath: options.basePath,
    version: options.version,
    cacheControl: options.cacheControl ?? "",
    responseCacheBytes,
    onUnexpected: options.onUnexpected,
    send
  })

  // `changes` answers of one catalog by raw URL (the bodies are the feed's own, kept by it anyway).
  let changesCatalog: Catalog | undefined
  const changesAnswers = new Map<string, WrittenAnswer>()
  const answerChanges = (response: ServerResponse, method: string, state: CatalogState, url: string, search: string) => {
    const written = prepare(answerRequest(state, "changes", search, options.version))
    if (written.status === 200 && state._tag === "Ready" && responseCacheBytes > 0) {
      if (changesCatalog !== state.catalog || changesAnswers.size >= rememberedChangesLimit) changesAnswers.clear()
      changesCatalog = state.catalog
      changesAnswers.set(url, written)
    }
    write(response, method, written)
  }

  const respond = (request: IncomingMessage, response: ServerResponse, route: Route, url: string, search: string) => {
    const method = request.method ?? "GET"
    const timer = timerNames[route]
    const started = timer === undefined ? 0 : performance.now()
    try {
      const state = cell.current
      if (isStaticRoute(route)) {
        send(response, method, (documentation ??= makeDocumentationAnswers(options.basePath, options.version))[route])
      } else if (state._tag === "Ready" && isList(route)) {
        lists.respond(request, response, state, route, search, url)
      } else if (route === "changes") {
        answerChanges(response, method, state, url, search)
      } else {
        send(response, method, answerRequest(state, route, search, options.version))
      }
    } catch (error) {
      options.onUnexpected(error, method, request.url ?? "")
      if (!response.headersSent) send(response, method, errorAnswer(UnknownError.default()))
      else response.destroy()
    }
    if (timer !== undefined) metrics.timing(timer, performance.now() - started)
  }

  // Named closures are created once: the bundle keeps function names (esbuild keepNames), which costs a
  // defineProperty per closure created, so none is made per request on the common path.
  const { traced } = options
  const dispatch = (request: IncomingMessage, response: ServerResponse, route: Route, method: string, url: string, search: string): void => {
    if (traced === undefined) respond(request, response, route, url, search)
    else traced(route, method, url, () => respond(request, response, route, url, search))
  }

  /** A list or `changes` answer remembered for this very URL, written before routing (traced requests take the whole way). */
  const respondRemembered = (request: IncomingMessage, response: ServerResponse, url: string, method: string): boolean => {
    const state = cell.current
    if (state._tag !== "Ready" || traced !== undefined || (method !== "GET" && method !== "HEAD")) return false
    const started = performance.now()
    const endpoint = lists.respondRemembered(request, response, state.catalog, url, method)
    if (endpoint !== undefined) {
      metrics.timing(timerNames[endpoint], performance.now() - started)
      return true
    }
    const changes = changesCatalog === state.catalog ? changesAnswers.get(url) : undefined
    if (changes === undefined) return false
    write(response, method, changes)
    metrics.timing(timerNames.changes, performance.now() - started)
    return true
  }

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/"
    const method = request.method ?? "GET"
    try {
      if (url.length > maxUrlLength) return send(response, method, protocolErrorAnswer("uriTooLong"))
      if (hasBody(request)) return send(response, method, protocolErrorAnswer("bodyNotAllowed"))
      if (respondRemembered(request, response, url, method)) return
      const queryStart = url.indexOf("?")
      const path = decodePath(queryStart === -1 ? url : url.slice(0, queryStart))
      const search = queryStart === -1 ? "" : url.slice(queryStart + 1)
      const route = routes.get(path)
      if (route === undefined) return send(response, method, notFound(path))
      if (method !== "GET" && method !== "HEAD") return send(response, method, methodNotAllowed(method, path))
      if (cell.current._tag === "Loading" && !isStaticRoute(route)) {
        void cell.settled().then(() => dispatch(request, response, route, method, url, search))
      } else {
        dispatch(request, response, route, method, url, search)
      }
    } catch (error) {
      options.onUnexpected(error, method, url)
      if (!response.headersSent) send(response, method, errorAnswer(UnknownError.default()))
      else response.destroy()
    }
  }
  return handle
}
