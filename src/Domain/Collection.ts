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
