import { Either } from "effect"
import { type ApiError, MethodNotAllowed, NotFound, ServiceUnavailable, renderErrorEnvelope } from "../Catalog/ApiError.js"
import { parsePythonInt } from "../Catalog/parsePythonInt.js"
import { queryCatalog } from "../Catalog/queryCatalog.js"
import type { CatalogState } from "./CatalogStore.js"
import { firstValues } from "./firstValues.js"
import type { Paging } from "./pagingLinks.js"
import type { Route } from "./routes.js"

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

export const errorAnswer = (error: ApiError, headers?: Readonly<Record<string, string>>): Answer => {
  const { body, status } = renderErrorEnvelope(error)
  return { status, contentType: jsonType, body, ...(headers === undefined ? {} : { headers }) }
}

export const notFound = (path: string): Answer => errorAnswer(NotFound.path(path))

export const methodNotAllowed = (method: string, path: string): Answer =>
  errorAnswer(MethodNotAllowed.method(method, path), { allow: "GET, HEAD" })

const plainDigits = /^\d{1,15}$/

/** A parameter already validated as an integer (huge ones only need to compare right against the total). */
const integerValue = (text: string): number => plainDigits.test(text) ? Number(text) : Number(parsePythonInt(text))

/**
 * The answer to a GET of a known route once start-up has settled (pure: the HTTP layer only parses and writes).
 * `search` is the raw query string without `?`.
 */
export const answerRequest = (state: CatalogState, route: Route, search: string, version: string): Answer => {
  if (route === "version") return { status: 200, contentType: textType, body: version }
  if (route === "heartbeat") {
    return state._tag === "Ready"
      ? { status: 200, contentType: textType, body: "OKOKOK" }
      : { status: 503, contentType: textType, body: "NONONO" }
  }
  if (state._tag !== "Ready") return errorAnswer(ServiceUnavailable.default())
  const params = firstValues(search)
  const result = queryCatalog(state.catalog, route, params)
  if (Either.isLeft(result)) return errorAnswer(result.left)
  const { body, total } = result.right
  const limit = params.get("limit")
  const offset = limit === undefined ? undefined : params.get("offset")
  return {
    status: 200,
    contentType: jsonType,
    body,
    paging: { total, limit: limit === undefined ? undefined : integerValue(limit), offset: offset === undefined ? 0 : integerValue(offset) }
  }
}
