import { uuidText, writeUuidBytes } from "./Ids.js"

export type NamedRow = {
  readonly id: string
  readonly name: string
}

export type SongRow = {
  readonly id: string
  readonly name: string
  readonly length: number
  readonly track: number
  readonly year: number
  readonly album_id: string
  readonly artist_id: string
  readonly genre_id: string
}

/** The four tables as loaded from (or written to) the database; ids are lowercase hyphenated UUIDs. */
export type CollectionRows = {
  readonly songs: ReadonlyArray<SongRow>
  readonly albums: ReadonlyArray<NamedRow>
  readonly artists: ReadonlyArray<NamedRow>
  readonly genres: ReadonlyArray<NamedRow>
}

/** What the scanner derives from one audio file's tags (scan.md "Fields"). */
export type SongTags = {
  readonly name: string
  readonly album: string
  readonly artist: string
  readonly genre: string
  readonly track: number
  readonly year: number
  readonly length: number
}

/**
 * Albums, artists or genres as columns: entity `i` has the id `ids[16 i .. 16 i + 15]` (the UUID's
 * bytes) and the name `names[i]`.
 */
export type NamedColumns = {
  readonly size: number
  readonly ids: Uint8Array
  readonly names: ReadonlyArray<string>
}

/** Songs as columns (see NamedColumns); the references are UUID bytes like `ids`. */
export type SongColumns = NamedColumns & {
  readonly length: Float64Array
  readonly track: Float64Array
  readonly year: Float64Array
  readonly albumIds: Uint8Array
  readonly artistIds: Uint8Array
  readonly genreIds: Uint8Array
}

/**
 * The four tables as the server loads them: columns rather than one object per row, so that a large
 * collection costs a few typed arrays and its names instead of millions of small objects and id strings.
 */
export type CollectionColumns = {
  readonly songs: SongColumns
  readonly albums: NamedColumns
  readonly artists: NamedColumns
  readonly genres: NamedColumns
}

const idBytes = (ids: ReadonlyArray<string>): Uint8Array => {
  const out = new Uint8Array(16 * ids.length)
  ids.forEach((id, i) => {
    if (!writeUuidBytes(id, out, 16 * i)) throw new Error(`not a UUID: ${JSON.stringify(id)}`)
  })
  return out
}

const namedColumns = (rows: ReadonlyArray<NamedRow>): NamedColumns => ({
  size: rows.length,
  ids: idBytes(rows.map((row) => row.id)),
  names: rows.map((row) => row.name)
})

/** Rows to columns (throws on an id that is not a UUID). */
export const collectionColumns = (rows: CollectionRows): CollectionColumns => {
  const { songs } = rows
  return {
    songs: {
      ...namedColumns(songs),
      length: Float64Array.from(songs, (song) => song.length),
      track: Float64Array.from(songs, (song) => song.track),
      year: Float64Array.from(songs, (song) => song.year),
      albumIds: idBytes(songs.map((song) => song.album_id)),
      artistIds: idBytes(songs.map((song) => song.artist_id)),
      genreIds: idBytes(songs.map((song) => song.genre_id))
    },
    albums: namedColumns(rows.albums),
    artists: namedColumns(rows.artists),
    genres: namedColumns(rows.genres)
  }
}

/** Named columns back to rows (ids lowercase hyphenated). */
export const namedRows = (columns: NamedColumns): Array<NamedRow> =>
  columns.names.map((name, i) => ({ id: uuidText(columns.ids, 16 * i), name }))

/** Columns back to rows (ids lowercase hyphenated). */
export const collectionRows = (columns: CollectionColumns): CollectionRows => {
  const { songs } = columns
  return {
    songs: songs.names.map((name, i): SongRow => ({
      id: uuidText(songs.ids, 16 * i),
      name,
      length: songs.length[i]!,
      track: songs.track[i]!,
      year: songs.year[i]!,
      album_id: uuidText(songs.albumIds, 16 * i),
      artist_id: uuidText(songs.artistIds, 16 * i),
      genre_id: uuidText(songs.genreIds, 16 * i)
    })),
    albums: namedRows(columns.albums),
    artists: namedRows(columns.artists),
    genres: namedRows(columns.genres)
  }
}
