import { Either } from "effect"
import type { Catalog } from "../Catalog/Catalog.js"
import type { QueryError } from "../Catalog/ApiError.js"
import { parsePythonInt } from "../Catalog/parsePythonInt.js"
import { type Endpoint, queryCatalog } from "../Catalog/queryCatalog.js"
import { firstValues } from "./firstValues.js"
import type { Paging } from "./pagingLinks.js"

/** A list answer: the success envelope and the page it holds (X-Total-Count, Link). */
export type ListAnswer = { readonly body: Buffer; readonly paging: Paging }

const plainDigits = /^\d{1,15}$/

/** A parameter already validated as an integer (huge ones only need to compare right against the total). */
const integerValue = (text: string): number => plainDigits.test(text) ? Number(text) : Number(parsePythonInt(text))

/** The answer to a list request given its raw query string (the success envelope and its page), or the query's error. */
export const listAnswer = (catalog: Catalog, endpoint: Endpoint, search: string): Either.Either<ListAnswer, QueryError> => {
  const params = firstValues(search)
  return Either.map(queryCatalog(catalog, endpoint, params), ({ body, total }) => {
    const limit = params.get("limit")
    const offset = limit === undefined ? undefined : params.get("offset")
    return { body, paging: { total, limit: limit === undefined ? undefined : integerValue(limit), offset: offset === undefined ? 0 : integerValue(offset) } }
  })
}
