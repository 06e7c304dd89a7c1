import type { SongRow } from "../Domain/Collection.js"
import { writeJsonString } from "./ByteWriter.js"
import { type EntityTable, type FieldOrder, identityOrder, serializeEntities } from "./EntityTable.js"
import { defaultOrder, fieldOrder, numberBuckets, sortByBucket, stringBuckets } from "./fieldOrders.js"
import { idKey, nameKey, type NamedTable } from "./NamedTable.js"
import { Marks } from "./Marks.js"
import { buildSearchIndex } from "./SearchIndex.js"

/** The fields of a song, in output order; `order` accepts each. */
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

export type SongField = (typeof songFields)[number]

/** Songs grouped by the value of one reference field (`album_id`, `artist_id` or `genre_id`). */
export type SongGroups = {
  /** Group of each distinct referenced id (as stored in the song rows). */
  readonly byId: ReadonlyMap<string, number>
  /** Songs of group `g` are `songs[starts[g] .. starts[g + 1] - 1]`, ascending. */
  readonly starts: Int32Array
  readonly songs: Int32Array
  /** Group of each entity of the referenced table; -1 when no song refers to it. */
  readonly ofEntity: Int32Array
  /**
   * Per song field order, made on first use: `songs` with each group's run sorted by that field
   * (same `starts`). A cache; it never changes an answer.
   */
  readonly byField: Map<FieldOrder, Int32Array>
}

/** `groups.songs` with each group's run in ascending `field` order (`field.order` must be defined). */
export const songsByField = (groups: SongGroups, field: FieldOrder, order: Int32Array): Int32Array => {
  const cached = groups.byField.get(field)
  if (cached !== undefined) return cached
  const { songs, starts } = groups
  const groupCount = starts.length - 1
  const groupOfSong = new Int32Array(order.length)
  for (let g = 0; g < groupCount; g++) for (let i = starts[g]!; i < starts[g + 1]!; i++) groupOfSong[songs[i]!] = g
  const fill = starts.slice(0, groupCount)
  const sorted = new Int32Array(songs.length)
  for (let p = 0; p < order.length; p++) {
    const song = order[p]!
    sorted[fill[groupOfSong[song]!]!++] = song
  }
  groups.byField.set(field, sorted)
  return sorted
}

export type SongTable = EntityTable & {
  readonly album: SongGroups
  readonly artist: SongGroups
  readonly genre: SongGroups
}

type GroupsBuild = {
  readonly groups: SongGroups
  readonly groupOfSong: Int32Array
  /** Per group: the referenced id, the referenced name ("" when missing) and the JSON of both fields. */
  readonly ids: ReadonlyArray<string>
  readonly names: ReadonlyArray<string>
  readonly json: ReadonlyArray<Buffer>
}

const buildGroups = (
  songRows: ReadonlyArray<SongRow>,
  entityOfRow: Int32Array,
  table: NamedTable,
  field: "album" | "artist" | "genre"
): GroupsBuild => {
  const size = songRows.length
  const key = `${field}_id` as const
  const byId = new Map<string, number>()
  const ids: Array<string> = []
  const groupOfSong = new Int32Array(size)
  for (let row = 0; row < size; row++) {
    const id = songRows[row]![key]
    let group = byId.get(id)
    if (group === undefined) {
      group = ids.length
      byId.set(id, group)
      ids.push(id)
    }
    groupOfSong[entityOfRow[row]!] = group
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
  const json = ids.map((id, g) =>
    Buffer.from(`,"${field}":${JSON.stringify(names[g])},"${field}_id":${JSON.stringify(id)}`)
  )
  const ofEntity = new Int32Array(table.size)
  for (let e = 0; e < table.size; e++) ofEntity[e] = byId.get(table.ids[e]!) ?? -1
  return { groups: { byId, starts, songs, ofEntity, byField: new Map() }, groupOfSong, ids, names, json }
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

const songKeys = {
  id: idKey,
  name: nameKey,
  length: Buffer.from(",\"length\":"),
  track: Buffer.from(",\"track\":"),
  year: Buffer.from(",\"year\":")
}

export const buildSongTable = (
  table: ReadonlyArray<SongRow>,
  albums: NamedTable,
  artists: NamedTable,
  genres: NamedTable
): SongTable => {
  const size = table.length
  const { entityOfRow, idOrder, rows } = defaultOrder(size, (row) => table[row]!.id, (row) => table[row]!.name)
  const album = buildGroups(table, entityOfRow, albums, "album")
  const artist = buildGroups(table, entityOfRow, artists, "artist")
  const genre = buildGroups(table, entityOfRow, genres, "genre")
  const numbers = (field: "length" | "track" | "year"): Float64Array => {
    const out = new Float64Array(size)
    for (let row = 0; row < size; row++) out[entityOfRow[row]!] = table[row]![field]
    return out
  }
  const orders: Record<SongField, FieldOrder> = {
    id: fieldOrder(idOrder),
    name: identityOrder,
    length: fieldOrder(sortByNumber(idOrder, numbers("length"))),
    track: fieldOrder(sortByNumber(idOrder, numbers("track"))),
    year: fieldOrder(sortByNumber(idOrder, numbers("year"))),
    album: fieldOrder(sortByGroupKey(idOrder, album, album.names)),
    album_id: fieldOrder(sortByGroupKey(idOrder, album, album.ids)),
    artist: fieldOrder(sortByGroupKey(idOrder, artist, artist.names)),
    artist_id: fieldOrder(sortByGroupKey(idOrder, artist, artist.ids)),
    genre: fieldOrder(sortByGroupKey(idOrder, genre, genre.names)),
    genre_id: fieldOrder(sortByGroupKey(idOrder, genre, genre.ids))
  }
  const fields = new Map<string, FieldOrder>(songFields.map((field) => [field, orders[field]]))
  const search = buildSearchIndex(size, (row) => table[row]!.name, (row) => entityOfRow[row]!)
  const { body, starts } = serializeEntities(size, (e, out) => {
    const song = table[rows[e]!]!
    out.bytes(songKeys.id)
    writeJsonString(out, song.id)
    out.bytes(songKeys.name)
    writeJsonString(out, song.name)
    out.bytes(songKeys.length)
    out.number(song.length)
    out.bytes(songKeys.track)
    out.number(song.track)
    out.bytes(songKeys.year)
    out.number(song.year)
    out.bytes(album.json[album.groupOfSong[e]!]!)
    out.bytes(artist.json[artist.groupOfSong[e]!]!)
    out.bytes(genre.json[genre.groupOfSong[e]!]!)
    out.byte(0x7d)
  })
  return {
    size,
    body,
    starts,
    fields,
    search,
    marks: new Marks(size),
    album: album.groups,
    artist: artist.groups,
    genre: genre.groups
  }
}
