import type { CollectionRows } from "../Domain/Collection.js"
import type { ChangeLog } from "../Domain/CollectionChanges.js"
import { buildChangeFeed, type ChangeFeed } from "./ChangeFeed.js"
import { buildNamedTable, type NamedTable } from "./NamedTable.js"
import { buildSongTable, type SongTable } from "./SongTable.js"

/** The immutable, fully indexed collection that queries run against. */
export type Catalog = {
  readonly generation: number
  readonly loadedAt: Date
  readonly songs: SongTable
  readonly albums: NamedTable
  readonly artists: NamedTable
  readonly genres: NamedTable
  readonly changes: ChangeFeed
}

/**
 * Builds the catalog once from the collection rows: default order, per-field ranks, search
 * indexes, reference groups and every response byte that does not depend on parameters.
 * Ids are taken as stored (lowercase hyphenated, see CollectionRows).
 */
export const buildCatalog = (
  rows: CollectionRows,
  info: { readonly generation: number; readonly loadedAt: Date; readonly changeLog?: ChangeLog | undefined }
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
    genres,
    changes: buildChangeFeed(info.changeLog, info.generation)
  }
}
