import { Either } from "effect"
import type { Catalog } from "../Catalog/Catalog.js"
import type { QueryError } from "../Catalog/ApiError.js"
import { parsePythonInt } from "../Catalog/parsePythonInt.js"
import { type Endpoint, queryCatalog } from "../Catalog/queryCatalog.js"
import { firstValues } from "./firstValues.js"
import type { Paging } from "./pagingLinks.js"
import { ResponseCache } from "./ResponseCache.js"

/** A list answer: the success envelope and the page it holds (X-Total-Count, Link). */
export type ListAnswer = { readonly body: Buffer; readonly paging: Paging }

/** One cache per catalog: a reload starts empty and the old answers go with the old catalog. */
const caches = new WeakMap<Catalog, ResponseCache<ListAnswer>>()

const plainDigits = /^\d{1,15}$/

/** A parameter already validated as an integer (huge ones only need to compare right against the total). */
const integerValue = (text: string): number => plainDigits.test(text) ? Number(text) : Number(parsePythonInt(text))

const listAnswer = (catalog: Catalog, endpoint: Endpoint, search: string): Either.Either<ListAnswer, QueryError> => {
  const params = firstValues(search)
  return Either.map(queryCatalog(catalog, endpoint, params), ({ body, total }) => {
    const limit = params.get("limit")
    const offset = limit === undefined ? undefined : params.get("offset")
    return { body, paging: { total, limit: limit === undefined ? undefined : integerValue(limit), offset: offset === undefined ? 0 : integerValue(offset) } }
  })
}

/**
 * The answer to a list request given its raw query string, remembering successful answers for the catalog's
 * lifetime within `maxBytes` (0: no cache). Only the raw query string is the key, so `?a=1&b=2` and `?b=2&a=1`
 * are two entries.
 */
export const cachedQuery = (
  catalog: Catalog,
  endpoint: Endpoint,
  search: string,
  maxBytes: number
): Either.Either<ListAnswer, QueryError> => {
  if (maxBytes <= 0) return listAnswer(catalog, endpoint, search)
  let cache = caches.get(catalog)
  if (cache === undefined) {
    cache = new ResponseCache(maxBytes)
    caches.set(catalog, cache)
  }
  const key = `${endpoint}?${search}`
  const cached = cache.get(key)
  if (cached !== undefined) return Either.right(cached)
  const result = listAnswer(catalog, endpoint, search)
  if (Either.isRight(result)) cache.set(key, result.right, result.right.body.length)
  return result
}
