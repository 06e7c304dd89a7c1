import { Either } from "effect"
import { type ApiError, MethodNotAllowed, NotFound, ServiceUnavailable, renderErrorEnvelope } from "../Catalog/ApiError.js"
import type { Catalog } from "../Catalog/Catalog.js"
import { queryChanges } from "../Catalog/queryChanges.js"
import type { CatalogState } from "./CatalogStore.js"
import { listAnswer } from "./listAnswer.js"
import { firstValues } from "./firstValues.js"
import type { Paging } from "./pagingLinks.js"
import type { Route, StaticRoute } from "./routes.js"

export type Answer = {
  readonly status: number
  readonly contentType: string
  readonly body: string | Buffer
  readonly headers?: Readonly<Record<string, string | number>>
  /** A list answer's total before paging and its page (X-Total-Count and Link). */
  readonly paging?: Paging
}

export const jsonType = "application/json; charset=utf-8"
const textType = "text/plain; charset=utf-8"

// The heartbeat is polled by every load balancer: its two answers are built once.
const ready: Answer = { status: 200, contentType: textType, body: Buffer.from("OKOKOK") }
const notReady: Answer = { status: 503, contentType: textType, body: Buffer.from("NONONO") }

export const errorAnswer = (error: ApiError, headers?: Readonly<Record<string, string>>): Answer => {
  const { body, status } = renderErrorEnvelope(error)
  return { status, contentType: jsonType, body, ...(headers === undefined ? {} : { headers }) }
}

/** A success; its generation lets a client that downloaded everything ask for the changes since then later on. */
const jsonAnswer = (catalog: Catalog, body: Buffer): Answer => ({
  status: 200,
  contentType: jsonType,
  body,
  headers: { "x-avalon-generation": catalog.generation }
})

export const notFound = (path: string): Answer => errorAnswer(NotFound.path(path))

export const methodNotAllowed = (method: string, path: string): Answer =>
  errorAnswer(MethodNotAllowed.method(method, path), { allow: "GET, HEAD" })

/**
 * The answer to a GET of a known route once start-up has settled (pure: the HTTP layer only parses and writes).
 * `search` is the raw query string without `?`.
 */
export const answerRequest = (
  state: CatalogState,
  route: Exclude<Route, StaticRoute>,
  search: string,
  version: string
): Answer => {
  if (route === "version") return { status: 200, contentType: textType, body: version }
  if (route === "heartbeat") {
    return state._tag === "Ready" ? ready : notReady
  }
  if (state._tag !== "Ready") return errorAnswer(ServiceUnavailable.default())
  const { catalog } = state
  if (route === "changes") {
    const changes = queryChanges(catalog.changes, firstValues(search))
    return Either.isRight(changes) ? jsonAnswer(catalog, changes.right) : errorAnswer(changes.left)
  }
  const result = listAnswer(catalog, route, search)
  if (Either.isLeft(result)) return errorAnswer(result.left)
  return { ...jsonAnswer(catalog, result.right.body), paging: result.right.paging }
}
