import { Either } from "effect"
import { parseUuid } from "../Domain/Ids.js"
import { InvalidParameterName, InvalidParameterType, InvalidParameterValue, type QueryError } from "./ApiError.js"
import type { Catalog } from "./Catalog.js"
import { type EntityTable, type FieldOrder, renderEntities, renderRange } from "./EntityTable.js"
import type { NamedTable } from "./NamedTable.js"
import { normalizeText } from "./normalizeText.js"
import { parsePythonInt } from "./parsePythonInt.js"
import { searchNormalized } from "./SearchIndex.js"
import type { SongGroups } from "./SongTable.js"
import { emptySet, intersectSorted, unionSorted } from "./sortedSets.js"

export type Endpoint = "songs" | "albums" | "artists" | "genres"

export type QueryResult = {
  /** The complete success envelope, ready to send. */
  readonly body: Buffer
  /** Matching entities before paging (X-Total-Count). */
  readonly total: number
  /** Entities in `body`. */
  readonly count: number
}

const tableOf = (catalog: Catalog, endpoint: Endpoint): EntityTable =>
  endpoint === "songs" ? catalog.songs : catalog[endpoint]

const groupSongs = (groups: SongGroups, group: number): Int32Array =>
  group < 0 ? emptySet : groups.songs.subarray(groups.starts[group]!, groups.starts[group + 1]!)

const songsOfEntities = (entities: Int32Array, groups: SongGroups, songCount: number): Int32Array => {
  const lists: Array<Int32Array> = []
  for (let i = 0; i < entities.length; i++) lists.push(groupSongs(groups, groups.ofEntity[entities[i]!]!))
  return unionSorted(lists, songCount)
}

const searchSongs = (catalog: Catalog, query: string): Int32Array => {
  const { albums, artists, genres, songs } = catalog
  return unionSorted([
    searchNormalized(songs.search, query),
    songsOfEntities(searchNormalized(albums.search, query), songs.album, songs.size),
    songsOfEntities(searchNormalized(artists.search, query), songs.artist, songs.size),
    songsOfEntities(searchNormalized(genres.search, query), songs.genre, songs.size)
  ], songs.size)
}

const clamp = (value: bigint, max: number): number => value >= BigInt(max) ? max : Number(value)

/** Entities at positions `from .. to - 1` of `set` (ascending entity numbers) ordered by `field`. */
const orderedSlice = (
  table: EntityTable,
  set: Int32Array,
  field: FieldOrder,
  descending: boolean,
  from: number,
  to: number
): Int32Array => {
  const count = to - from
  const k = set.length
  const { order, rank } = field
  if (order === undefined || rank === undefined) {
    if (!descending) return set.subarray(from, to)
    const out = new Int32Array(count)
    for (let i = 0; i < count; i++) out[i] = set[k - 1 - from - i]!
    return out
  }
  const out = new Int32Array(count)
  if (k > table.size >>> 4) {
    const mark = new Uint8Array(table.size)
    for (let i = 0; i < k; i++) mark[set[i]!] = 1
    let seen = 0
    let written = 0
    for (let step = 0; step < table.size && written < count; step++) {
      const entity = order[descending ? table.size - 1 - step : step]!
      if (mark[entity] === 1) {
        if (seen >= from) out[written++] = entity
        seen++
      }
    }
    return out
  }
  const ranks = new Int32Array(k)
  for (let i = 0; i < k; i++) ranks[i] = rank[set[i]!]!
  ranks.sort()
  for (let i = 0; i < count; i++) out[i] = order[ranks[descending ? k - 1 - from - i : from + i]!]!
  return out
}

/** Entities at positions `from .. to - 1` of the whole table ordered by `field`. */
const orderedRange = (
  table: EntityTable,
  field: FieldOrder,
  descending: boolean,
  from: number,
  to: number
): Buffer => {
  const { order } = field
  if (order === undefined && !descending) return renderRange(table, from, to)
  const count = to - from
  const last = table.size - 1
  if (order !== undefined && !descending) return renderEntities(table, order.subarray(from, to))
  const out = new Int32Array(count)
  for (let i = 0; i < count; i++) out[i] = order === undefined ? last - from - i : order[last - from - i]!
  return renderEntities(table, out)
}

const restrict = (set: Int32Array | undefined, subset: Int32Array): Int32Array =>
  set === undefined ? subset : intersectSorted(set, subset)

const idFilters = [["album_id", "album"], ["artist_id", "artist"], ["genre_id", "genre"]] as const
const nameFilters = [["album", "albums"], ["artist", "artists"], ["genre", "genres"]] as const

/**
 * Answers one list request (api.md "Query parameters"): validates in the documented order, filters,
 * orders and pages, and renders the envelope from pre-serialized entities. `params` holds the first
 * value of each query parameter. Pure and synchronous.
 */
export const queryCatalog = (
  catalog: Catalog,
  endpoint: Endpoint,
  params: ReadonlyMap<string, string>
): Either.Either<QueryResult, QueryError> => {
  const table = tableOf(catalog, endpoint)
  const isSongs = endpoint === "songs"

  const ids: Array<readonly [SongGroups, string]> = []
  if (isSongs) {
    for (const [param, groups] of idFilters) {
      const raw = params.get(param)
      if (raw === undefined) continue
      const id = parseUuid(raw)
      if (id === undefined) return Either.left(InvalidParameterType.uuid(param, raw))
      ids.push([catalog.songs[groups], id])
    }
  }

  let field = table.fields.get("name")!
  let descending = false
  const orderParam = params.get("order")
  if (orderParam !== undefined) {
    const direction = params.get("direction")
    if (direction !== undefined && direction !== "asc" && direction !== "desc") {
      return Either.left(InvalidParameterValue.direction(direction))
    }
    const requested = table.fields.get(orderParam)
    if (requested === undefined) return Either.left(InvalidParameterName.orderField(orderParam))
    field = requested
    descending = direction === "desc"
  }

  const rawLimit = params.get("limit")
  const rawOffset = params.get("offset")
  const limit = rawLimit === undefined ? undefined : parsePythonInt(rawLimit)
  if (rawLimit !== undefined && limit === undefined) return Either.left(InvalidParameterType.integer("limit", rawLimit))
  const offset = rawOffset === undefined ? undefined : parsePythonInt(rawOffset)
  if (rawOffset !== undefined && offset === undefined) {
    return Either.left(InvalidParameterType.integer("offset", rawOffset))
  }
  if (limit !== undefined) {
    if (limit < 0n) return Either.left(InvalidParameterValue.negative("limit", limit))
    if (offset !== undefined && offset < 0n) return Either.left(InvalidParameterValue.negative("offset", offset))
  }

  let set: Int32Array | undefined
  const query = params.get("query")
  if (query !== undefined) {
    const normalized = normalizeText(query)
    set = restrict(
      set,
      normalized === ""
        ? emptySet
        : isSongs
        ? searchSongs(catalog, normalized)
        : searchNormalized(table.search, normalized)
    )
  }
  if (isSongs) {
    const { songs } = catalog
    for (const [param, tableName] of nameFilters) {
      const raw = params.get(param)
      if (raw === undefined) continue
      const named: NamedTable = catalog[tableName]
      const entities = named.byLowerName.get(raw.toLowerCase()) ?? emptySet
      set = restrict(set, songsOfEntities(entities, songs[param], songs.size))
    }
    for (const [groups, id] of ids) set = restrict(set, groupSongs(groups, groups.byId.get(id) ?? -1))
  }

  const total = set === undefined ? table.size : set.length
  const from = limit === undefined || offset === undefined ? 0 : clamp(offset, total)
  const to = limit === undefined ? total : from + clamp(limit, total - from)
  const body = set === undefined
    ? orderedRange(table, field, descending, from, to)
    : renderEntities(table, orderedSlice(table, set, field, descending, from, to))
  return Either.right({ body, total, count: to - from })
}
