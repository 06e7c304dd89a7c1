import type { IncomingMessage, ServerResponse } from "node:http"
import type { Catalog } from "../Catalog/Catalog.js"
import type { Endpoint } from "../Catalog/queryCatalog.js"
import { type Answer, answerRequest } from "./answerRequest.js"
import { CatalogRepresentations } from "./CatalogRepresentations.js"
import type { CatalogState } from "./CatalogStore.js"
import { compressDynamic, minimumCompressedSize } from "./compressBody.js"
import { isWildcard, matchEntityTag, parseHttpDate } from "./conditionalRequests.js"
import { headerList } from "./headerList.js"
import { type ContentCoding, negotiateCoding } from "./negotiateCoding.js"
import { escapeUri, pagingLinks } from "./pagingLinks.js"
import { ResponseCache } from "./ResponseCache.js"

export type ListResponderOptions = {
  readonly basePath: string
  readonly version: string
  /** The Cache-Control header of list answers; empty: none. */
  readonly cacheControl: string
  /** Budget of the cache of computed answers per catalog, in bytes (0: none). */
  readonly responseCacheBytes: number
  readonly onUnexpected: (error: unknown, method: string, url: string) => void
  /** Writes an answer as it is (errors). */
  readonly send: (response: ServerResponse, method: string, answer: Answer) => void
}

type Headers = Record<string, string | number>

/** A 200 list answer exactly as written: headers (content-length included, never changed once stored) and body. */
type PreparedAnswer = {
  /** As writeHead takes them (see headerList). */
  readonly headers: Array<string>
  readonly body: Buffer
  /** The answer's own entity tag. */
  readonly tag: string
  readonly endpoint: Endpoint
  /** What an If-None-Match may name to get a 304: the identity tag, and the accepted coding's tag when another. */
  readonly identityTag: string
  readonly acceptedTag: string | undefined
}

/**
 * Remembered answers are keyed by the raw request URL, which routing and the query string are functions of: the
 * string node:http made is looked up as it is (a key built per request would be hashed, and flattened, each time).
 */
const answerKey = (coding: ContentCoding, url: string): string => coding === "identity" ? url : `${coding} ${url}`

export type ListResponder = {
  /** Answers `endpoint?search` (the query string without `?`) of the raw request URL `url`. */
  readonly respond: (
    request: IncomingMessage,
    response: ServerResponse,
    state: Extract<CatalogState, { _tag: "Ready" }>,
    endpoint: Endpoint,
    search: string,
    url: string
  ) => void
  /**
   * Writes the answer remembered for `url` over `catalog` (or its 304) and returns its endpoint, before any
   * routing; undefined, having written nothing, when there is none. Only for a GET or HEAD without a body.
   */
  readonly respondRemembered: (request: IncomingMessage, response: ServerResponse, catalog: Catalog, url: string, method: string) => Endpoint | undefined
}

/** What a prepared answer's headers, key and bookkeeping cost beside its body, roughly. */
const preparedOverheadBytes = 512

/**
 * Answers the list endpoints over a ready catalog with HTTP's caching and compression on top of answerRequest:
 * strong ETag and Last-Modified, 304 for If-None-Match (weak comparison, `*`) or else If-Modified-Since,
 * Cache-Control, Vary, X-Total-Count and paging Links, and gzip or brotli as Accept-Encoding allows. Successful
 * answers are remembered per catalog, coding and raw request URL, as written (headers included), within
 * `responseCacheBytes`: a repeated request costs one lookup, and a compressed one is compressed once.
 */
export const makeListResponder = (options: ListResponderOptions): ListResponder => {
  const { cacheControl, onUnexpected, responseCacheBytes, send, version } = options
  const prefix = options.basePath === "/" ? "" : options.basePath
  const linkPath = (endpoint: Endpoint) => escapeUri(`${prefix}/${endpoint}`)
  const linkPaths: Readonly<Record<Endpoint, string>> = {
    songs: linkPath("songs"),
    albums: linkPath("albums"),
    artists: linkPath("artists"),
    genres: linkPath("genres")
  }

  let current: CatalogRepresentations | undefined
  // One per catalog: a reload starts empty, and the old answers go with the old catalog.
  let prepared: ResponseCache<PreparedAnswer> | undefined
  const representationsOf = (catalog: Catalog): CatalogRepresentations => {
    if (current?.catalog === catalog) return current
    prepared = responseCacheBytes > 0 ? new ResponseCache(responseCacheBytes) : undefined
    return (current = new CatalogRepresentations(catalog, version, (error) => onUnexpected(error, "GET", "(compressing a full list)")))
  }
  const remember = (key: string, answer: PreparedAnswer): void => {
    prepared?.set(key, answer, answer.body.length + preparedOverheadBytes)
  }

  const validators = (representations: CatalogRepresentations, tag: string): Array<string> => {
    const headers = ["etag", tag, "last-modified", representations.lastModified, "vary", "Accept-Encoding"]
    if (cacheControl !== "") headers.push("cache-control", cacheControl)
    return headers
  }

  const notModified = (response: ServerResponse, representations: CatalogRepresentations, tag: string): void => {
    response.writeHead(304, validators(representations, tag))
    response.end()
  }

  const notModifiedSince = (ifModifiedSince: string | undefined, representations: CatalogRepresentations): boolean => {
    if (ifModifiedSince === undefined) return false
    const since = parseHttpDate(ifModifiedSince)
    return since !== undefined && representations.lastModifiedMs <= since
  }

  const write = (response: ServerResponse, method: string, headers: Array<string>, body: Buffer): void => {
    response.writeHead(200, headers)
    response.end(method === "HEAD" ? undefined : body)
  }

  const isNotModified = (request: IncomingMessage, ifNoneMatch: string | undefined, representations: CatalogRepresentations): boolean =>
    ifNoneMatch !== undefined ? isWildcard(ifNoneMatch) : notModifiedSince(request.headers["if-modified-since"], representations)

  /**
   * A 304 when If-None-Match names a representation the client holds and can still decode: the identity one, or
   * the accepted coding's. Whether it answered.
   */
  const notModifiedByTag = (
    response: ServerResponse,
    representations: CatalogRepresentations,
    ifNoneMatch: string | undefined,
    identityTag: string,
    acceptedTag: string | undefined
  ): boolean => {
    const matched = ifNoneMatch === undefined ? undefined : matchEntityTag(ifNoneMatch, identityTag, acceptedTag)
    if (matched === undefined) return false
    notModified(response, representations, matched)
    return true
  }

  /** A remembered answer, or its 304 (the same decisions as `respond` makes before and after its lookup). */
  const answerFromMemory = (request: IncomingMessage, response: ServerResponse, method: string, representations: CatalogRepresentations, hit: PreparedAnswer): void => {
    const ifNoneMatch = request.headers["if-none-match"]
    if (notModifiedByTag(response, representations, ifNoneMatch, hit.identityTag, hit.acceptedTag)) return
    if (isNotModified(request, ifNoneMatch, representations)) return notModified(response, representations, hit.tag)
    write(response, method, hit.headers, hit.body)
  }

  const respondRemembered: ListResponder["respondRemembered"] = (request, response, catalog, url, method) => {
    if (prepared === undefined || current?.catalog !== catalog) return undefined
    const hit = prepared.get(answerKey(negotiateCoding(request.headers["accept-encoding"]), url))
    if (hit === undefined) return undefined
    answerFromMemory(request, response, method, current, hit)
    return hit.endpoint
  }

  const respond: ListResponder["respond"] = (request, response, state, endpoint, search, url) => {
    const method = request.method ?? "GET"
    const representations = representationsOf(state.catalog)
    const accepted = negotiateCoding(request.headers["accept-encoding"])
    const ifNoneMatch = request.headers["if-none-match"]
    const key = answerKey(accepted, url)
    const hit = prepared?.get(key)
    if (hit !== undefined) return answerFromMemory(request, response, method, representations, hit)
    const identityTag = representations.entityTag(endpoint, search, "identity")
    const acceptedTag = accepted === "identity" ? undefined : representations.entityTag(endpoint, search, accepted)
    // A current representation needs no answer computed.
    if (notModifiedByTag(response, representations, ifNoneMatch, identityTag, acceptedTag)) return

    const answer = answerRequest(state, endpoint, search, version)
    if (answer.status !== 200 || answer.paging === undefined || typeof answer.body === "string") return send(response, method, answer)
    let body = answer.body
    let coding: ContentCoding = "identity"
    let compressNow = false
    if (accepted !== "identity" && body.length >= minimumCompressedSize) {
      if (representations.isFullList(endpoint, body)) {
        const compressed = representations.compressedFullList(endpoint, accepted)
        if (compressed !== undefined) {
          body = compressed
          coding = accepted
        }
      } else {
        coding = accepted
        compressNow = true
      }
    }
    // `coding` is identity or the accepted one, whose tags are known already.
    const tag = coding === "identity" || acceptedTag === undefined ? identityTag : acceptedTag
    if (isNotModified(request, ifNoneMatch, representations)) return notModified(response, representations, tag)

    const headers: Headers = {
      "content-type": answer.contentType,
      "content-length": body.length,
      etag: tag,
      "last-modified": representations.lastModified,
      vary: "Accept-Encoding",
      "x-total-count": answer.paging.total
    }
    if (cacheControl !== "") headers["cache-control"] = cacheControl
    const links = pagingLinks(linkPaths[endpoint], search, answer.paging)
    if (links !== undefined) headers.link = links
    if (answer.headers !== undefined) Object.assign(headers, answer.headers)
    if (coding !== "identity") headers["content-encoding"] = coding
    if (!compressNow || coding === "identity") {
      // A full list whose compressed form is not ready yet goes out as is, and is not remembered as the coding's answer.
      const list = headerList(headers)
      if (coding === accepted || body.length < minimumCompressedSize) remember(key, { headers: list, body, tag, endpoint, identityTag, acceptedTag })
      return write(response, method, list, body)
    }
    const uncompressed = body
    compressDynamic(uncompressed, coding, (error, compressed) => {
      if (error === null) {
        headers["content-length"] = compressed.length
        const list = headerList(headers)
        remember(key, { headers: list, body: compressed, tag, endpoint, identityTag, acceptedTag })
        return write(response, method, list, compressed)
      }
      onUnexpected(error, method, request.url ?? "")
      delete headers["content-encoding"]
      headers.etag = identityTag
      write(response, method, headerList(headers), uncompressed)
    })
  }

  return { respond, respondRemembered }
}
