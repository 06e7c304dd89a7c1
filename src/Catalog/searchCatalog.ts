import type { Catalog } from "./Catalog.js"
import type { EntityTable, FieldOrder } from "./EntityTable.js"
import type { Marks } from "./Marks.js"
import type { Endpoint } from "./queryCatalog.js"
import { matchTier, searchHits, type SearchIndex, tierCount } from "./SearchIndex.js"
import type { SongGroups } from "./SongTable.js"
import { emptySet } from "./sortedSets.js"
import { sortNonNegative } from "./sortNonNegative.js"

/** The entities of one table that one normalized query matches. */
export type SearchResult = {
  /** The normalized query. */
  readonly query: string
  /** By relevance (README "Search"), then in default order (name, then id). */
  readonly ranked: Int32Array
  /** Ascending, i.e. in default order; made on first use. */
  ascending: Int32Array | undefined
  /** The last small page of these matches rendered (a typed-ahead query asks for the same first page again). */
  page: RenderedPage | undefined
}

type RenderedPage = {
  /** undefined: by relevance. */
  readonly field: FieldOrder | undefined
  readonly descending: boolean
  readonly from: number
  readonly to: number
  readonly body: Buffer
}

const noMatches: SearchResult = { query: "", ranked: emptySet, ascending: emptySet, page: undefined }

/**
 * Pages of at most this many entities are kept with their result: with 256 results of ~300-byte
 * songs that is at most about 5 MB in all.
 */
const smallPage = 64

/**
 * The results of the latest distinct queries of one table within a budget of entries and of
 * entities held, the least recently used dropped first. A cache: it never changes an answer, and the
 * catalog it belongs to is immutable.
 */
class SearchCache {
  private readonly results = new Map<string, SearchResult>()
  private held = 0
  /** The most recently used query (no need to move it to the end again). */
  private latest: string | undefined

  constructor(private readonly maxEntries: number, private readonly maxHeld: number) {}

  get(query: string): SearchResult | undefined {
    const result = this.results.get(query)
    if (result !== undefined && query !== this.latest) {
      this.results.delete(query)
      this.results.set(query, result)
      this.latest = query
    }
    return result
  }

  add(query: string, result: SearchResult): void {
    if (result.ranked.length > this.maxHeld) return
    this.results.set(query, result)
    this.latest = query
    this.grow(query, result, result.ranked.length)
  }

  /** Accounts for `length` more entities held by the entry of `query`, when it is still `result`. */
  grow(query: string, result: SearchResult, length: number): void {
    if (this.results.get(query) !== result) return
    this.held += length
    for (const [oldest, old] of this.results) {
      if (this.held <= this.maxHeld && this.results.size <= this.maxEntries) break
      if (oldest === query) continue
      this.results.delete(oldest)
      this.held -= old.ranked.length + (old.ascending?.length ?? 0)
    }
  }
}

const caches = new WeakMap<EntityTable, SearchCache>()

const cacheOf = (table: EntityTable): SearchCache => {
  let cache = caches.get(table)
  if (cache === undefined) {
    cache = new SearchCache(256, Math.max(4 * table.size, 1 << 16))
    caches.set(table, cache)
  }
  return cache
}

/**
 * Visits the entities of `index` that `query` matches, each new member keyed by
 * `(fieldRank * tierCount + tier) * size + member` (below 2^31 for up to 178 million songs); for
 * `groups`, the songs of each matched entity.
 */
const keyMatches = (
  marks: Marks,
  size: number,
  index: SearchIndex,
  query: string,
  fieldRank: number,
  groups: SongGroups | undefined
): void => {
  const { from, list, to } = searchHits(index, query)
  const { postingStarts, postings } = index
  const base = fieldRank * tierCount
  const visit = (entities: Int32Array, first: number, last: number): void => {
    if (groups === undefined) {
      const before = marks.count
      marks.visit(entities, first, last)
      const members = marks.list
      for (let i = before; i < marks.count; i++) {
        const entity = members[i]!
        members[i] = (base + matchTier(index, entity, query)) * size + entity
      }
      return
    }
    const { ofEntity, songs, starts } = groups
    for (let i = first; i < last; i++) {
      const entity = entities[i]!
      const group = ofEntity[entity]!
      if (group < 0) continue
      const before = marks.count
      marks.visit(songs, starts[group]!, starts[group + 1]!)
      const found = marks.count
      if (found === before) continue
      const level = (base + matchTier(index, entity, query)) * size
      const members = marks.list
      for (let m = before; m < found; m++) members[m]! += level
    }
  }
  if (to > from) visit(postings, postingStarts[from]!, postingStarts[to]!)
  visit(list, 0, list.length)
}

const rank = (catalog: Catalog, endpoint: Endpoint, table: EntityTable, query: string): Int32Array => {
  const { marks, size } = table
  marks.begin(1)
  marks.nextLevel()
  if (endpoint === "songs") {
    const { albums, artists, genres, songs } = catalog
    keyMatches(marks, size, songs.search, query, 0, undefined)
    keyMatches(marks, size, artists.search, query, 1, songs.artist)
    keyMatches(marks, size, albums.search, query, 2, songs.album)
    keyMatches(marks, size, genres.search, query, 3, songs.genre)
  } else {
    keyMatches(marks, size, table.search, query, 0, undefined)
  }
  const keys = sortNonNegative(marks.list.slice(0, marks.count))
  for (let i = 0; i < keys.length; i++) keys[i] = keys[i]! % size
  return keys
}

/**
 * The entities of `endpoint` that the normalized `query` matches (api.md "Text search"), by
 * relevance: songs by the first of their title, artist, album and genre that matches, then each
 * field by its match tier (see matchTier).
 */
export const searchCatalog = (catalog: Catalog, endpoint: Endpoint, query: string): SearchResult => {
  if (query === "") return noMatches
  const table = endpoint === "songs" ? catalog.songs : catalog[endpoint]
  const cache = cacheOf(table)
  const cached = cache.get(query)
  if (cached !== undefined) return cached
  const result: SearchResult = { query, ranked: rank(catalog, endpoint, table, query), ascending: undefined, page: undefined }
  cache.add(query, result)
  return result
}

/** `result.ascending`, made (and cached with the result) on first use. */
export const ascendingMatches = (table: EntityTable, result: SearchResult): Int32Array => {
  if (result.ascending === undefined) {
    result.ascending = sortNonNegative(result.ranked.slice())
    cacheOf(table).grow(result.query, result, result.ascending.length)
  }
  return result.ascending
}

/** The body of the page `from .. to - 1` of the matches ordered by `field` (undefined: by relevance), when kept. */
export const keptPage = (
  result: SearchResult,
  field: FieldOrder | undefined,
  descending: boolean,
  from: number,
  to: number
): Buffer | undefined => {
  const { page } = result
  return page !== undefined && page.from === from && page.to === to && page.field === field &&
      page.descending === descending
    ? page.body
    : undefined
}

/** Keeps `body` as the page `from .. to - 1` of the matches ordered by `field`, when small. */
export const keepPage = (
  result: SearchResult,
  field: FieldOrder | undefined,
  descending: boolean,
  from: number,
  to: number,
  body: Buffer
): Buffer => {
  if (to - from <= smallPage && result !== noMatches) result.page = { field, descending, from, to, body }
  return body
}
