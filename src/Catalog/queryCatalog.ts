import { Either } from "effect"
import { parseUuid } from "../Domain/Ids.js"
import { InvalidParameterName, InvalidParameterType, InvalidParameterValue, type QueryError } from "./ApiError.js"
import type { Catalog } from "./Catalog.js"
import { type EntityTable, type FieldOrder, renderEntities, renderRange } from "./EntityTable.js"
import type { NamedTable } from "./NamedTable.js"
import { normalizeText } from "./normalizeText.js"
import { parsePythonInt } from "./parsePythonInt.js"
import type { Marks } from "./Marks.js"
import { ascendingMatches, keepPage, keptPage, searchCatalog } from "./searchCatalog.js"
import { type SearchHits, searchHits, type SearchIndex } from "./SearchIndex.js"
import { groupOfUuid, type SongGroups, songsByField } from "./SongTable.js"
import { emptySet, lowerBound } from "./sortedSets.js"

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

/**
 * How a paged, ordered slice of a filtered set is found: by walking the field's precomputed order
 * and testing membership until enough members are seen, or by sorting the members' ranks. `auto`
 * picks the cheaper by estimate; the others exist so that tests can exercise both.
 */
export type Strategy = "auto" | "walk" | "sort"

/** One part of a filter's union. */
type Part =
  /** Entities of the queried table (ascending). */
  | { readonly kind: "list"; readonly list: Int32Array }
  /** The songs of one group (-1: none). */
  | { readonly kind: "group"; readonly groups: SongGroups; readonly group: number }
  /** The songs of `entities` of another table. */
  | { readonly kind: "groupsOf"; readonly groups: SongGroups; readonly entities: Int32Array }

/** A union of parts; the filters of a request are intersected. */
type Filter = ReadonlyArray<Part>

const groupOf = (groups: SongGroups, entity: number): number => groups.ofEntity[entity]!

const groupList = (groups: SongGroups, group: number): Int32Array =>
  group < 0 ? emptySet : groups.songs.subarray(groups.starts[group]!, groups.starts[group + 1]!)

/** The one group the songs of `entities` are in: -1 when they have no songs, undefined when several groups. */
const soleGroup = (groups: SongGroups, entities: Int32Array): number | undefined => {
  let group = -1
  for (let i = 0; i < entities.length; i++) {
    const g = groupOf(groups, entities[i]!)
    if (g < 0 || g === group) continue
    if (group >= 0) return undefined
    group = g
  }
  return group
}

/**
 * The filter's set when it is a single ascending list (found without any set operation), emptySet
 * when it is certainly empty, undefined otherwise.
 */
const singleList = (filter: Filter): Int32Array | undefined => {
  let found: Int32Array = emptySet
  for (const part of filter) {
    let list: Int32Array | undefined
    switch (part.kind) {
      case "list":
        list = part.list
        break
      case "group":
        list = groupList(part.groups, part.group)
        break
      case "groupsOf": {
        const group = soleGroup(part.groups, part.entities)
        if (group === undefined) return undefined
        list = groupList(part.groups, group)
        break
      }
    }
    if (list === undefined) return undefined
    if (list.length === 0) continue
    if (found.length > 0) return undefined
    found = list
  }
  return found
}

/** The filter's one non-empty group, when it is a single group of songs. */
const singleGroup = (filter: Filter): { readonly groups: SongGroups; readonly group: number } | undefined => {
  if (filter.length !== 1) return undefined
  const part = filter[0]!
  if (part.kind === "group") return part.group < 0 ? undefined : part
  if (part.kind !== "groupsOf") return undefined
  const group = soleGroup(part.groups, part.entities)
  return group === undefined || group < 0 ? undefined : { groups: part.groups, group }
}

const visitHitGroups = (marks: Marks, groups: SongGroups, entities: Int32Array, from: number, to: number): void => {
  const { ofEntity, songs, starts } = groups
  for (let i = from; i < to; i++) {
    const g = ofEntity[entities[i]!]!
    if (g >= 0) marks.visit(songs, starts[g]!, starts[g + 1]!)
  }
}

/** Visits every member of the filter's union at the current level. */
const visitFilter = (marks: Marks, filter: Filter): void => {
  for (const part of filter) {
    switch (part.kind) {
      case "list":
        marks.visit(part.list, 0, part.list.length)
        break
      case "group": {
        const { group, groups } = part
        if (group >= 0) marks.visit(groups.songs, groups.starts[group]!, groups.starts[group + 1]!)
        break
      }
      case "groupsOf":
        visitHitGroups(marks, part.groups, part.entities, 0, part.entities.length)
        break
    }
  }
}

/** The entities of `ranked` that pass every filter, in the order of `ranked`. */
const keepFiltered = (marks: Marks, ranked: Int32Array, filters: ReadonlyArray<Filter>): Int32Array => {
  if (ranked.length === 0) return emptySet
  marks.begin(filters.length)
  for (const filter of filters) {
    marks.nextLevel()
    visitFilter(marks, filter)
    if (marks.count === 0) return emptySet
  }
  const out = new Int32Array(Math.min(marks.count, ranked.length))
  let kept = 0
  for (let i = 0; i < ranked.length && kept < out.length; i++) {
    const entity = ranked[i]!
    if (marks.has(entity)) out[kept++] = entity
  }
  return out.subarray(0, kept)
}

const clamp = (value: bigint, max: number): number => value >= BigInt(max) ? max : Number(value)

const log2 = (n: number): number => 31 - Math.clz32(n | 1) + 1

/** Walking steps expected to see `needed` of `total` members spread over `size` positions. */
const walkSteps = (size: number, total: number, needed: number): number =>
  Math.min(size, Math.ceil((needed * size) / total))

const contains = (list: Int32Array, value: number): boolean => list[lowerBound(list, value)] === value

/** Positions `from .. to - 1` of the members (the marks' current level) ordered by `field`. */
const orderMarked = (
  table: EntityTable,
  field: FieldOrder,
  descending: boolean,
  from: number,
  to: number,
  strategy: Strategy
): Int32Array => {
  const { marks, size } = table
  const count = to - from
  const total = marks.count
  const out = new Int32Array(count)
  const { order, rank } = field
  const walk = strategy === "auto" ? walkSteps(size, total, to) <= total * log2(total) : strategy === "walk"
  if (walk) {
    let seen = 0
    let written = 0
    for (let step = 0; step < size && written < count; step++) {
      const p = descending ? size - 1 - step : step
      const entity = order === undefined ? p : order[p]!
      if (marks.has(entity)) {
        if (seen >= from) out[written++] = entity
        seen++
      }
    }
    return out
  }
  const members = marks.list.subarray(0, total)
  if (order === undefined || rank === undefined) {
    members.sort()
    for (let i = 0; i < count; i++) out[i] = members[descending ? total - 1 - from - i : from + i]!
    return out
  }
  for (let i = 0; i < total; i++) members[i] = rank[members[i]!]!
  members.sort()
  for (let i = 0; i < count; i++) out[i] = order[members[descending ? total - 1 - from - i : from + i]!]!
  return out
}

/** Positions `from .. to - 1` of the ascending `list` ordered by `field`. */
const orderList = (
  table: EntityTable,
  list: Int32Array,
  field: FieldOrder,
  descending: boolean,
  from: number,
  to: number,
  strategy: Strategy
): Int32Array => {
  const count = to - from
  const total = list.length
  const { order, rank } = field
  if (order === undefined || rank === undefined) {
    if (!descending) return list.subarray(from, to)
    const out = new Int32Array(count)
    for (let i = 0; i < count; i++) out[i] = list[total - 1 - from - i]!
    return out
  }
  const { marks, size } = table
  const steps = walkSteps(size, total, to)
  const sortCost = total * log2(total)
  if (strategy === "walk" || (strategy === "auto" && steps * log2(total) <= Math.min(sortCost, total + steps))) {
    const out = new Int32Array(count)
    let seen = 0
    let written = 0
    for (let step = 0; step < size && written < count; step++) {
      const entity = order[descending ? size - 1 - step : step]!
      if (contains(list, entity)) {
        if (seen >= from) out[written++] = entity
        seen++
      }
    }
    return out
  }
  marks.begin(1)
  marks.nextLevel()
  marks.visit(list, 0, total)
  return orderMarked(table, field, descending, from, to, strategy === "auto" && total + steps < sortCost ? "walk" : "sort")
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

const idFilters = [["album_id", "album"], ["artist_id", "artist"], ["genre_id", "genre"]] as const
const nameFilters = [["album", "albums"], ["artist", "artists"], ["genre", "genres"]] as const

/** queryCatalog with a chosen ordering strategy (tests force each one). */
export const queryCatalogWith = (
  catalog: Catalog,
  endpoint: Endpoint,
  params: ReadonlyMap<string, string>,
  strategy: Strategy
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

  const filters: Array<Filter> = []
  const query = params.get("query")
  const search = query === undefined ? undefined : searchCatalog(catalog, endpoint, normalizeText(query))
  if (search !== undefined && orderParam !== undefined) {
    filters.push([{ kind: "list", list: ascendingMatches(table, search) }])
  }
  if (isSongs) {
    const { songs } = catalog
    for (const [param, tableName] of nameFilters) {
      const raw = params.get(param)
      if (raw === undefined) continue
      const named: NamedTable = catalog[tableName]
      const entities = named.byLowerName.get(raw.toLowerCase()) ?? emptySet
      filters.push([{ kind: "groupsOf", groups: songs[param], entities }])
    }
    for (const [groups, id] of ids) filters.push([{ kind: "group", groups, group: groupOfUuid(groups, id) }])
  }

  if (search !== undefined && orderParam === undefined) {
    const ranked = filters.length === 0 ? search.ranked : keepFiltered(table.marks, search.ranked, filters)
    const total = ranked.length
    const from = limit === undefined || offset === undefined ? 0 : clamp(offset, total)
    const to = limit === undefined ? total : from + clamp(limit, total - from)
    const body = filters.length > 0
      ? renderEntities(table, ranked.subarray(from, to))
      : keptPage(search, undefined, false, from, to) ??
        keepPage(search, undefined, false, from, to, renderEntities(table, ranked.subarray(from, to)))
    return Either.right({ body, total, count: to - from })
  }

  if (filters.length === 0) {
    const total = table.size
    const from = limit === undefined || offset === undefined ? 0 : clamp(offset, total)
    const to = limit === undefined ? total : from + clamp(limit, total - from)
    return Either.right({ body: orderedRange(table, field, descending, from, to), total, count: to - from })
  }

  const { order } = field
  if (filters.length === 1 && order !== undefined && strategy === "auto") {
    const single = singleGroup(filters[0]!)
    if (single !== undefined) {
      // The group's songs already sorted by the field: the page is a run of them.
      const { group, groups } = single
      const sorted = songsByField(groups, field, order)
      const start = groups.starts[group]!
      const total = groups.starts[group + 1]! - start
      const from = limit === undefined || offset === undefined ? 0 : clamp(offset, total)
      const to = limit === undefined ? total : from + clamp(limit, total - from)
      const out = new Int32Array(to - from)
      for (let i = 0; i < out.length; i++) out[i] = sorted[descending ? start + total - 1 - from - i : start + from + i]!
      return Either.right({ body: renderEntities(table, out), total, count: to - from })
    }
  }

  let list: Int32Array | undefined = filters.length === 1 ? singleList(filters[0]!) : undefined
  if (list === undefined) {
    for (const filter of filters) if (singleList(filter)?.length === 0) list = emptySet
  }
  let total: number
  if (list !== undefined) {
    total = list.length
  } else {
    const { marks } = table
    marks.begin(filters.length)
    for (const filter of filters) {
      marks.nextLevel()
      visitFilter(marks, filter)
      if (marks.count === 0) break
    }
    total = marks.count
  }
  const from = limit === undefined || offset === undefined ? 0 : clamp(offset, total)
  const to = limit === undefined ? total : from + clamp(limit, total - from)
  // A page of the matches of a query alone is kept with them (forced strategies compute it each time).
  const onlySearch = search !== undefined && filters.length === 1 && strategy === "auto" ? search : undefined
  const kept = onlySearch === undefined ? undefined : keptPage(onlySearch, field, descending, from, to)
  if (kept !== undefined) return Either.right({ body: kept, total, count: to - from })
  const body = to === from
    ? renderEntities(table, emptySet)
    : renderEntities(
      table,
      list !== undefined
        ? orderList(table, list, field, descending, from, to, strategy)
        : orderMarked(table, field, descending, from, to, strategy)
    )
  if (onlySearch !== undefined) keepPage(onlySearch, field, descending, from, to, body)
  return Either.right({ body, total, count: to - from })
}

/**
 * Answers one list request (api.md "Query parameters"): validates in the documented order, filters,
 * orders and pages, and renders the envelope from pre-serialized entities. `params` holds the first
 * value of each query parameter. Pure and synchronous: the scratch space it reuses (Marks) never
 * carries anything from one call to the next, and the search cache (searchCatalog) only memoizes.
 */
export const queryCatalog = (
  catalog: Catalog,
  endpoint: Endpoint,
  params: ReadonlyMap<string, string>
): Either.Either<QueryResult, QueryError> => queryCatalogWith(catalog, endpoint, params, "auto")
