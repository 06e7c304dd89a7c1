import type { CollectionRows, NamedRow, SongRow } from "../Domain/Collection.js"
import { type EntityTable, type FieldOrder, identityOrder, serializeEntities } from "./EntityTable.js"
import { buildSearchIndex } from "./SearchIndex.js"
import { sortIndicesByString } from "./sortIndicesByString.js"

/** Albums, artists or genres: `{id, name}` objects. */
export type NamedTable = EntityTable & {
  readonly ids: ReadonlyArray<string>
  readonly names: ReadonlyArray<string>
  /** Entities by their plainly lowercased name (the `album`/`artist`/`genre` song filters). */
  readonly byLowerName: ReadonlyMap<string, Int32Array>
}

/** Songs grouped by the value of one reference field (`album_id`, `artist_id` or `genre_id`). */
export type SongGroups = {
  /** Group of each distinct referenced id (as stored in the song rows). */
  readonly byId: ReadonlyMap<string, number>
  /** Songs of group `g` are `songs[starts[g] .. starts[g + 1] - 1]`, ascending. */
  readonly starts: Int32Array
  readonly songs: Int32Array
  /** Group of each entity of the referenced table; -1 when no song refers to it. */
  readonly ofEntity: Int32Array
}

export type SongTable = EntityTable & {
  readonly album: SongGroups
  readonly artist: SongGroups
  readonly genre: SongGroups
}

/** The immutable, fully indexed collection that queries run against. */
export type Catalog = {
  readonly generation: number
  readonly loadedAt: Date
  readonly songs: SongTable
  readonly albums: NamedTable
  readonly artists: NamedTable
  readonly genres: NamedTable
}

export const songFields = [
  "id",
  "name",
  "length",
  "track",
  "year",
  "album",
  "album_id",
  "artist",
  "artist_id",
  "genre",
  "genre_id"
] as const

const identity = (size: number): Int32Array => {
  const out = new Int32Array(size)
  for (let i = 0; i < size; i++) out[i] = i
  return out
}

const inverse = (permutation: Int32Array): Int32Array => {
  const out = new Int32Array(permutation.length)
  for (let p = 0; p < permutation.length; p++) out[permutation[p]!] = p
  return out
}

const fieldOrder = (order: Int32Array): FieldOrder => ({ order, rank: inverse(order) })

/** Stable counting sort of `base` by `bucketOf[e]` in `0 .. buckets - 1`. */
const sortByBucket = (base: Int32Array, bucketOf: Int32Array, buckets: number): Int32Array => {
  const counts = new Int32Array(buckets + 1)
  for (let i = 0; i < base.length; i++) counts[bucketOf[base[i]!]! + 1]!++
  for (let b = 1; b <= buckets; b++) counts[b]! += counts[b - 1]!
  const out = new Int32Array(base.length)
  for (let i = 0; i < base.length; i++) {
    const e = base[i]!
    out[counts[bucketOf[e]!]!++] = e
  }
  return out
}

/** Dense ranks of strings in code point order (equal strings share a rank). */
const stringBuckets = (keys: ReadonlyArray<string>): { readonly bucketOf: Int32Array; readonly buckets: number } => {
  const sorted = sortIndicesByString(identity(keys.length), keys)
  const bucketOf = new Int32Array(keys.length)
  let bucket = -1
  let previous: string | undefined
  for (let p = 0; p < sorted.length; p++) {
    const key = keys[sorted[p]!]!
    if (p === 0 || key !== previous) bucket++
    previous = key
    bucketOf[sorted[p]!] = bucket
  }
  return { bucketOf, buckets: bucket + 1 }
}

/** Dense ranks of numbers, ascending (NaN last). */
const numberBuckets = (values: Float64Array): { readonly bucketOf: Int32Array; readonly buckets: number } => {
  const size = values.length
  let min = Infinity
  let max = -Infinity
  let integers = true
  for (let i = 0; i < size; i++) {
    const v = values[i]!
    if (!Number.isSafeInteger(v)) {
      integers = false
      break
    }
    if (v < min) min = v
    if (v > max) max = v
  }
  const bucketOf = new Int32Array(size)
  if (size === 0) return { bucketOf, buckets: 0 }
  if (integers && max - min <= 4 * size + 1024) {
    for (let i = 0; i < size; i++) bucketOf[i] = values[i]! - min
    return { bucketOf, buckets: max - min + 1 }
  }
  const sorted = Float64Array.from(values).sort()
  const distinct: Array<number> = []
  for (let i = 0; i < size; i++) {
    const v = sorted[i]!
    if (Number.isNaN(v)) break
    if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v)
  }
  for (let i = 0; i < size; i++) {
    const v = values[i]!
    let lo = 0
    let hi = distinct.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (distinct[mid]! < v) lo = mid + 1
      else hi = mid
    }
    bucketOf[i] = Number.isNaN(v) ? distinct.length : lo
  }
  return { bucketOf, buckets: distinct.length + 1 }
}

/** Row numbers in default order (name, then id, then row number) and the id order over entities. */
const defaultOrder = (
  ids: ReadonlyArray<string>,
  names: ReadonlyArray<string>
): { readonly rows: Int32Array; readonly idOrder: Int32Array } => {
  const byId = sortIndicesByString(identity(ids.length), ids)
  const rows = sortIndicesByString(byId, names)
  const entityOfRow = inverse(rows)
  const idOrder = new Int32Array(byId.length)
  for (let p = 0; p < byId.length; p++) idOrder[p] = entityOfRow[byId[p]!]!
  return { rows, idOrder }
}

const buildNamedTable = (table: ReadonlyArray<NamedRow>): NamedTable => {
  const { idOrder, rows } = defaultOrder(table.map((row) => row.id), table.map((row) => row.name))
  const size = rows.length
  const ids = new Array<string>(size)
  const names = new Array<string>(size)
  for (let e = 0; e < size; e++) {
    const row = table[rows[e]!]!
    ids[e] = row.id
    names[e] = row.name
  }
  const lower = new Map<string, Array<number>>()
  for (let e = 0; e < size; e++) {
    const key = names[e]!.toLowerCase()
    const list = lower.get(key)
    if (list === undefined) lower.set(key, [e])
    else list.push(e)
  }
  const byLowerName = new Map<string, Int32Array>()
  for (const [key, list] of lower) byLowerName.set(key, Int32Array.from(list))
  const { body, starts } = serializeEntities(
    size,
    (e) => `{"id":${JSON.stringify(ids[e])},"name":${JSON.stringify(names[e])}}`
  )
  return {
    size,
    body,
    starts,
    fields: new Map([["id", fieldOrder(idOrder)], ["name", identityOrder]]),
    search: buildSearchIndex(names),
    ids,
    names,
    byLowerName
  }
}

type GroupsBuild = {
  readonly groups: SongGroups
  readonly groupOfSong: Int32Array
  /** Per group: the referenced id, the referenced name ("" when missing) and the JSON of both fields. */
  readonly ids: ReadonlyArray<string>
  readonly names: ReadonlyArray<string>
  readonly json: ReadonlyArray<string>
}

const buildGroups = (
  songIds: ReadonlyArray<string>,
  table: NamedTable,
  field: "album" | "artist" | "genre"
): GroupsBuild => {
  const size = songIds.length
  const byId = new Map<string, number>()
  const ids: Array<string> = []
  const groupOfSong = new Int32Array(size)
  for (let s = 0; s < size; s++) {
    const id = songIds[s]!
    let group = byId.get(id)
    if (group === undefined) {
      group = ids.length
      byId.set(id, group)
      ids.push(id)
    }
    groupOfSong[s] = group
  }
  const starts = new Int32Array(ids.length + 1)
  for (let s = 0; s < size; s++) starts[groupOfSong[s]! + 1]!++
  for (let g = 1; g <= ids.length; g++) starts[g]! += starts[g - 1]!
  const fill = starts.slice(0, ids.length)
  const songs = new Int32Array(size)
  for (let s = 0; s < size; s++) songs[fill[groupOfSong[s]!]!++] = s

  const entityOfId = new Map<string, number>()
  for (let e = 0; e < table.size; e++) if (!entityOfId.has(table.ids[e]!)) entityOfId.set(table.ids[e]!, e)
  const names = ids.map((id) => {
    const entity = entityOfId.get(id)
    return entity === undefined ? "" : table.names[entity]!
  })
  const json = ids.map((id, g) => `"${field}":${JSON.stringify(names[g])},"${field}_id":${JSON.stringify(id)}`)
  const ofEntity = new Int32Array(table.size)
  for (let e = 0; e < table.size; e++) ofEntity[e] = byId.get(table.ids[e]!) ?? -1
  return { groups: { byId, starts, songs, ofEntity }, groupOfSong, ids, names, json }
}

const sortByGroupKey = (
  idOrder: Int32Array,
  build: GroupsBuild,
  keys: ReadonlyArray<string>
): Int32Array => {
  const { bucketOf: groupBucket, buckets } = stringBuckets(keys)
  const bucketOf = new Int32Array(build.groupOfSong.length)
  for (let s = 0; s < bucketOf.length; s++) bucketOf[s] = groupBucket[build.groupOfSong[s]!]!
  return sortByBucket(idOrder, bucketOf, buckets)
}

const sortByNumber = (idOrder: Int32Array, values: Float64Array): Int32Array => {
  const { bucketOf, buckets } = numberBuckets(values)
  return sortByBucket(idOrder, bucketOf, buckets)
}

const number = (value: number): string => JSON.stringify(value)

const buildSongTable = (
  table: ReadonlyArray<SongRow>,
  albums: NamedTable,
  artists: NamedTable,
  genres: NamedTable
): SongTable => {
  const { idOrder, rows } = defaultOrder(table.map((row) => row.id), table.map((row) => row.name))
  const size = rows.length
  const songs = new Array<SongRow>(size)
  for (let e = 0; e < size; e++) songs[e] = table[rows[e]!]!
  const album = buildGroups(songs.map((song) => song.album_id), albums, "album")
  const artist = buildGroups(songs.map((song) => song.artist_id), artists, "artist")
  const genre = buildGroups(songs.map((song) => song.genre_id), genres, "genre")
  const numbers = (field: "length" | "track" | "year"): Float64Array => {
    const out = new Float64Array(size)
    for (let e = 0; e < size; e++) out[e] = songs[e]![field]
    return out
  }
  const fields = new Map<string, FieldOrder>([
    ["id", fieldOrder(idOrder)],
    ["name", identityOrder],
    ["length", fieldOrder(sortByNumber(idOrder, numbers("length")))],
    ["track", fieldOrder(sortByNumber(idOrder, numbers("track")))],
    ["year", fieldOrder(sortByNumber(idOrder, numbers("year")))],
    ["album", fieldOrder(sortByGroupKey(idOrder, album, album.names))],
    ["album_id", fieldOrder(sortByGroupKey(idOrder, album, album.ids))],
    ["artist", fieldOrder(sortByGroupKey(idOrder, artist, artist.names))],
    ["artist_id", fieldOrder(sortByGroupKey(idOrder, artist, artist.ids))],
    ["genre", fieldOrder(sortByGroupKey(idOrder, genre, genre.names))],
    ["genre_id", fieldOrder(sortByGroupKey(idOrder, genre, genre.ids))]
  ])
  const { body, starts } = serializeEntities(size, (e) => {
    const song = songs[e]!
    return "{\"id\":" + JSON.stringify(song.id) +
      ",\"name\":" + JSON.stringify(song.name) +
      ",\"length\":" + number(song.length) +
      ",\"track\":" + number(song.track) +
      ",\"year\":" + number(song.year) +
      "," + album.json[album.groupOfSong[e]!] +
      "," + artist.json[artist.groupOfSong[e]!] +
      "," + genre.json[genre.groupOfSong[e]!] + "}"
  })
  return {
    size,
    body,
    starts,
    fields,
    search: buildSearchIndex(songs.map((song) => song.name)),
    album: album.groups,
    artist: artist.groups,
    genre: genre.groups
  }
}

/**
 * Builds the catalog once from the collection rows: default order, per-field ranks, search
 * indexes, reference groups and every response byte that does not depend on parameters.
 * Ids are taken as stored (lowercase hyphenated, see CollectionRows).
 */
export const buildCatalog = (
  rows: CollectionRows,
  info: { readonly generation: number; readonly loadedAt: Date }
): Catalog => {
  const albums = buildNamedTable(rows.albums)
  const artists = buildNamedTable(rows.artists)
  const genres = buildNamedTable(rows.genres)
  return {
    generation: info.generation,
    loadedAt: info.loadedAt,
    songs: buildSongTable(rows.songs, albums, artists, genres),
    albums,
    artists,
    genres
  }
}
