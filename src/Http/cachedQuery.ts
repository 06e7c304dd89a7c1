import { Either } from "effect"
import type { Catalog } from "../Catalog/Catalog.js"
import type { QueryError } from "../Catalog/ApiError.js"
import { type Endpoint, queryCatalog, type QueryResult } from "../Catalog/queryCatalog.js"
import { firstValues } from "./firstValues.js"
import { ResponseCache } from "./ResponseCache.js"

/** One cache per catalog: a reload starts empty and the old answers go with the old catalog. */
const caches = new WeakMap<Catalog, ResponseCache<QueryResult>>()

/**
 * queryCatalog for a raw query string, remembering successful answers for the catalog's lifetime within
 * `maxBytes` (0: no cache). Only the raw query string is the key, so `?a=1&b=2` and `?b=2&a=1` are two entries.
 */
export const cachedQuery = (
  catalog: Catalog,
  endpoint: Endpoint,
  search: string,
  maxBytes: number
): Either.Either<QueryResult, QueryError> => {
  if (maxBytes <= 0) return queryCatalog(catalog, endpoint, firstValues(search))
  let cache = caches.get(catalog)
  if (cache === undefined) {
    cache = new ResponseCache(maxBytes)
    caches.set(catalog, cache)
  }
  const key = `${endpoint}?${search}`
  const cached = cache.get(key)
  if (cached !== undefined) return Either.right(cached)
  const result = queryCatalog(catalog, endpoint, firstValues(search))
  if (Either.isRight(result)) cache.set(key, result.right, result.right.body.length)
  return result
}
