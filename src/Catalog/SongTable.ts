import type { SongColumns } from "../Domain/Collection.js"
import { writeUuidBytes } from "../Domain/Ids.js"
import { ByteWriter } from "./ByteWriter.js"
import { type EntityTable, type FieldOrder, identityOrder, serializeEntities } from "./EntityTable.js"
import { defaultOrder, fieldOrder, idRanks, numberBuckets, sortByBucket, stringBuckets } from "./fieldOrders.js"
import { IdMap } from "./IdMap.js"
import { idKey, nameKey, type NamedTableBuild } from "./NamedTable.js"
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
  /** The distinct referenced ids; the key of an id is its group. */
  readonly byId: IdMap
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

const scratchId = new Uint8Array(16)

/** The group of songs referring to `uuid` (any spelling `parseUuid` returns), -1 when none does. */
export const groupOfUuid = (groups: SongGroups, uuid: string): number =>
  writeUuidBytes(uuid, scratchId, 0) ? groups.byId.find(scratchId, 0) : -1

export type SongTable = EntityTable & {
  readonly album: SongGroups
  readonly artist: SongGroups
  readonly genre: SongGroups
}

type GroupsBuild = {
  readonly groups: SongGroups
  readonly groupOfSong: Int32Array
  /** Per group, the referenced name ("" when missing). */
  readonly names: ReadonlyArray<string>
  /** The JSON of both fields of group `g` is `json[jsonStarts[g] .. jsonStarts[g + 1] - 1]`. */
  readonly json: Buffer
  readonly jsonStarts: Uint32Array
}

const buildGroups = (
  songIds: Uint8Array,
  entityOfRow: Int32Array,
  named: NamedTableBuild,
  field: "album" | "artist" | "genre"
): GroupsBuild => {
  const size = entityOfRow.length
  const byId = new IdMap(Math.min(size, named.table.size + 16))
  const groupOfSong = new Int32Array(size)
  for (let row = 0; row < size; row++) groupOfSong[entityOfRow[row]!] = byId.add(songIds, 16 * row)
  const groupCount = byId.size
  const starts = new Int32Array(groupCount + 1)
  for (let s = 0; s < size; s++) starts[groupOfSong[s]! + 1]!++
  for (let g = 1; g <= groupCount; g++) starts[g]! += starts[g - 1]!
  const fill = starts.slice(0, groupCount)
  const songs = new Int32Array(size)
  for (let s = 0; s < size; s++) songs[fill[groupOfSong[s]!]!++] = s

  const names = new Array<string>(groupCount)
  const nameField = Buffer.from(`,"${field}":`)
  const idField = Buffer.from(`,"${field}_id":`)
  const out = new ByteWriter(groupCount * 80)
  const jsonStarts = new Uint32Array(groupCount + 1)
  for (let g = 0; g < groupCount; g++) {
    const key = named.idMap.find(byId.keys, 16 * g)
    names[g] = key < 0 ? "" : named.names[named.entityOfKey[key]!]!
    jsonStarts[g] = out.length
    out.bytes(nameField)
    out.jsonString(names[g]!)
    out.bytes(idField)
    out.uuid(byId.keys, 16 * g)
  }
  jsonStarts[groupCount] = out.length
  const ofEntity = new Int32Array(named.table.size)
  for (let e = 0; e < ofEntity.length; e++) ofEntity[e] = byId.find(named.ids, 16 * e)
  return {
    groups: { byId, starts, songs, ofEntity, byField: new Map() },
    groupOfSong,
    names,
    json: out.finish(),
    jsonStarts
  }
}

const writeGroup = (out: ByteWriter, build: GroupsBuild, song: number): void => {
  const g = build.groupOfSong[song]!
  out.range(build.json, build.jsonStarts[g]!, build.jsonStarts[g + 1]!)
}

const sortByGroupBucket = (
  idOrder: Int32Array,
  build: GroupsBuild,
  { bucketOf: groupBucket, buckets }: { readonly bucketOf: Int32Array; readonly buckets: number }
): Int32Array => {
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
  columns: SongColumns,
  albums: NamedTableBuild,
  artists: NamedTableBuild,
  genres: NamedTableBuild
): SongTable => {
  const { size, ids, names } = columns
  const { entityOfRow, idOrder, rows } = defaultOrder(size, ids, names)
  const album = buildGroups(columns.albumIds, entityOfRow, albums, "album")
  const artist = buildGroups(columns.artistIds, entityOfRow, artists, "artist")
  const genre = buildGroups(columns.genreIds, entityOfRow, genres, "genre")
  const byEntity = (values: Float64Array): Float64Array => {
    const out = new Float64Array(size)
    for (let row = 0; row < size; row++) out[entityOfRow[row]!] = values[row]!
    return out
  }
  const groupIdRanks = (build: GroupsBuild) => idRanks(build.groups.byId.size, build.groups.byId.keys)
  const orders: Record<SongField, FieldOrder> = {
    id: fieldOrder(idOrder),
    name: identityOrder,
    length: fieldOrder(sortByNumber(idOrder, byEntity(columns.length))),
    track: fieldOrder(sortByNumber(idOrder, byEntity(columns.track))),
    year: fieldOrder(sortByNumber(idOrder, byEntity(columns.year))),
    album: fieldOrder(sortByGroupBucket(idOrder, album, stringBuckets(album.names))),
    album_id: fieldOrder(sortByGroupBucket(idOrder, album, groupIdRanks(album))),
    artist: fieldOrder(sortByGroupBucket(idOrder, artist, stringBuckets(artist.names))),
    artist_id: fieldOrder(sortByGroupBucket(idOrder, artist, groupIdRanks(artist))),
    genre: fieldOrder(sortByGroupBucket(idOrder, genre, stringBuckets(genre.names))),
    genre_id: fieldOrder(sortByGroupBucket(idOrder, genre, groupIdRanks(genre)))
  }
  const fields = new Map<string, FieldOrder>(songFields.map((field) => [field, orders[field]]))
  const search = buildSearchIndex(size, (row) => names[row]!, (row) => entityOfRow[row]!)
  const { body, starts } = serializeEntities(size, (e, out) => {
    const row = rows[e]!
    out.bytes(songKeys.id)
    out.uuid(ids, 16 * row)
    out.bytes(songKeys.name)
    out.jsonString(names[row]!)
    out.bytes(songKeys.length)
    out.number(columns.length[row]!)
    out.bytes(songKeys.track)
    out.number(columns.track[row]!)
    out.bytes(songKeys.year)
    out.number(columns.year[row]!)
    writeGroup(out, album, e)
    writeGroup(out, artist, e)
    writeGroup(out, genre, e)
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
