import type { CollectionColumns } from "../Domain/Collection.js"
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
 * Builds the catalog once from the collection's columns: default order, per-field ranks, search
 * indexes, reference groups and every response byte that does not depend on parameters.
 */
export const buildCatalog = (
  columns: CollectionColumns,
  info: { readonly generation: number; readonly loadedAt: Date; readonly changeLog?: ChangeLog | undefined }
): Catalog => {
  const albums = buildNamedTable(columns.albums)
  const artists = buildNamedTable(columns.artists)
  const genres = buildNamedTable(columns.genres)
  return {
    generation: info.generation,
    loadedAt: info.loadedAt,
    songs: buildSongTable(columns.songs, albums, artists, genres),
    albums: albums.table,
    artists: artists.table,
    genres: genres.table,
    changes: buildChangeFeed(info.changeLog, info.generation)
  }
}
