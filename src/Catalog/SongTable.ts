import type { SongColumns } from "../Domain/Collection.js"
import { writeUuidBytes } from "../Domain/Ids.js"
import { ByteWriter, jsonStringLength, numberLength } from "./ByteWriter.js"
import { type EntityJson, type EntityTable, type FieldOrder, fullBody, identityOrder } from "./EntityTable.js"
import { defaultOrder, idRanks, lazyFieldOrder, numberBuckets, sortByBucket, stringBuckets } from "./fieldOrders.js"
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

/** `source[start .. end - 1]` at `out[at ..]`; the position after it. */
const copyBytes = (source: Buffer, start: number, end: number, out: Buffer, at: number): number => {
  if (end - start > 64) return at + source.copy(out, at, start, end)
  for (let i = start; i < end; i++) out[at++] = source[i]!
  return at
}

const groupLength = (build: GroupsBuild, song: number): number => {
  const g = build.groupOfSong[song]!
  return build.jsonStarts[g + 1]! - build.jsonStarts[g]!
}

const writeGroup = (build: GroupsBuild, song: number, out: Buffer, at: number): number => {
  const g = build.groupOfSong[song]!
  return copyBytes(build.json, build.jsonStarts[g]!, build.jsonStarts[g + 1]!, out, at)
}

/**
 * The songs' JSON: each song's own fields (`{"id":…,"year":…`, `own[ownStarts[e] .. ownStarts[e + 1] - 1]`)
 * serialized once, its album, artist and genre copied from their groups' JSON as it is written. The names and
 * ids that many songs share are stored once: at 100k songs 11 MB instead of 33 MB, and a third of the work.
 */
const songJson = (own: Buffer, ownStarts: Uint32Array, album: GroupsBuild, artist: GroupsBuild, genre: GroupsBuild): EntityJson => ({
  runLength: (first, last) => {
    let bytes = last - first
    for (let e = first; e <= last; e++) {
      bytes += ownStarts[e + 1]! - ownStarts[e]! + groupLength(album, e) + groupLength(artist, e) + groupLength(genre, e) + 1
    }
    return bytes
  },
  writeRun: (first, last, out, at) => {
    for (let e = first; e <= last; e++) {
      at = copyBytes(own, ownStarts[e]!, ownStarts[e + 1]!, out, at)
      at = writeGroup(album, e, out, at)
      at = writeGroup(artist, e, out, at)
      at = writeGroup(genre, e, out, at)
      out[at++] = 0x7d
      if (e < last) out[at++] = 0x2c
    }
    return at
  }
})

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

/**
 * Each song's own fields, `{"id":…,"year":…` of entity `e` at `own[ownStarts[e] .. ownStarts[e + 1] - 1]`
 * (a function of its own: V8 optimizes its loops sooner than those of a large one).
 */
const serializeOwnFields = (columns: SongColumns, rows: Int32Array): { readonly own: Buffer; readonly ownStarts: Uint32Array } => {
  const { ids, length, names, size, track, year } = columns
  const { id: idKeyBytes, name: nameKeyBytes, length: lengthKey, track: trackKey, year: yearKey } = songKeys
  const fixedLength = idKeyBytes.length + 38 + nameKeyBytes.length + lengthKey.length + trackKey.length + yearKey.length
  // Sized exactly beforehand: a guess would mean a grown copy, or a final one, of the largest buffer of the load.
  const ownStarts = new Uint32Array(size + 1)
  let bytes = 0
  for (let e = 0; e < size; e++) {
    const row = rows[e]!
    ownStarts[e] = bytes
    bytes += fixedLength + jsonStringLength(names[row]!) + numberLength(length[row]!) + numberLength(track[row]!) + numberLength(year[row]!)
  }
  ownStarts[size] = bytes
  const out = new ByteWriter(bytes)
  for (let e = 0; e < size; e++) {
    const row = rows[e]!
    out.bytes(idKeyBytes)
    out.uuid(ids, 16 * row)
    out.bytes(nameKeyBytes)
    out.jsonString(names[row]!)
    out.bytes(lengthKey)
    out.number(length[row]!)
    out.bytes(trackKey)
    out.number(track[row]!)
    out.bytes(yearKey)
    out.number(year[row]!)
  }
  return { own: out.finish(), ownStarts }
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
  const { length, track, year } = columns
  const orders: Record<SongField, FieldOrder> = {
    id: lazyFieldOrder(idOrder),
    name: identityOrder,
    length: lazyFieldOrder(() => sortByNumber(idOrder(), byEntity(length))),
    track: lazyFieldOrder(() => sortByNumber(idOrder(), byEntity(track))),
    year: lazyFieldOrder(() => sortByNumber(idOrder(), byEntity(year))),
    album: lazyFieldOrder(() => sortByGroupBucket(idOrder(), album, stringBuckets(album.names))),
    album_id: lazyFieldOrder(() => sortByGroupBucket(idOrder(), album, groupIdRanks(album))),
    artist: lazyFieldOrder(() => sortByGroupBucket(idOrder(), artist, stringBuckets(artist.names))),
    artist_id: lazyFieldOrder(() => sortByGroupBucket(idOrder(), artist, groupIdRanks(artist))),
    genre: lazyFieldOrder(() => sortByGroupBucket(idOrder(), genre, stringBuckets(genre.names))),
    genre_id: lazyFieldOrder(() => sortByGroupBucket(idOrder(), genre, groupIdRanks(genre)))
  }
  const fields = new Map<string, FieldOrder>(songFields.map((field) => [field, orders[field]]))
  const search = buildSearchIndex(size, (row) => names[row]!, (row) => entityOfRow[row]!)
  const { own, ownStarts } = serializeOwnFields(columns, rows)
  const json = songJson(own, ownStarts, album, artist, genre)
  let body: Buffer | undefined
  return {
    size,
    // The full list is assembled when first asked for (then kept, like its compressed forms).
    get body() {
      return (body ??= fullBody(size, json))
    },
    isBody: (buffer) => buffer === body,
    json,
    fields,
    search,
    marks: new Marks(size),
    album: album.groups,
    artist: artist.groups,
    genre: genre.groups
  }
}
