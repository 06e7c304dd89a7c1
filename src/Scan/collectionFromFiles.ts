import type { CollectionRows, NamedRow, SongRow } from "../Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../Domain/Ids.js"
import type { FileState } from "../Database/Database.js"

const codePointCompare = (a: string, b: string): number => {
  const left = Array.from(a, (char) => char.codePointAt(0)!)
  const right = Array.from(b, (char) => char.codePointAt(0)!)
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i] !== right[i]) return left[i]! - right[i]!
  return left.length - right.length
}

/**
 * Names differing only in case are one entity: keep the most frequent spelling, ties by code-point order.
 * An entity's id depends on the lowercased name only, so it is computed once per entity, not once per song.
 */
class SpellingVotes {
  private readonly votes = new Map<string, { readonly id: string; readonly spellings: Map<string, number> }>()

  constructor(private readonly idOf: (name: string) => string) {}

  /** Counts one use of `name`; returns the entity's id. */
  add(name: string): string {
    const key = name.toLowerCase()
    let entity = this.votes.get(key)
    if (entity === undefined) this.votes.set(key, entity = { id: this.idOf(key), spellings: new Map() })
    entity.spellings.set(name, (entity.spellings.get(name) ?? 0) + 1)
    return entity.id
  }

  rows(): Array<NamedRow> {
    const rows: Array<NamedRow> = []
    for (const { id, spellings } of this.votes.values()) {
      let best: [string, number] | undefined
      for (const entry of spellings) {
        if (best === undefined || entry[1] > best[1] || (entry[1] === best[1] && codePointCompare(entry[0], best[0]) < 0)) best = entry
      }
      rows.push({ id, name: best![0] })
    }
    return rows
  }
}

/**
 * The four tables derived from the scanned files (pure; ids per api.md). `songIds` may hold ids already computed
 * (a scan computes them while the tag readers are busy, not after).
 */
export const collectionFromFiles = (files: ReadonlyArray<FileState>, songIds?: ReadonlyMap<string, string>): CollectionRows => {
  const albums = new SpellingVotes(albumId)
  const artists = new SpellingVotes(artistId)
  const genres = new SpellingVotes(genreId)
  const songs: Array<SongRow> = []
  for (const file of files) {
    if (file.outcome !== "song") continue
    const { tags } = file
    songs.push({
      id: songIds?.get(file.path) ?? songId(file.path),
      name: tags.name,
      length: tags.length,
      track: tags.track,
      year: tags.year,
      album_id: albums.add(tags.album),
      artist_id: artists.add(tags.artist),
      genre_id: genres.add(tags.genre)
    })
  }
  return { songs, albums: albums.rows(), artists: artists.rows(), genres: genres.rows() }
}

export type CollectionCounts = { readonly songs: number; readonly albums: number; readonly artists: number; readonly genres: number }

/** How many rows `collectionFromFiles` would give, without computing any id (an unchanged re-scan needs only these). */
export const collectionCounts = (files: ReadonlyArray<FileState>): CollectionCounts => {
  const albums = new Set<string>()
  const artists = new Set<string>()
  const genres = new Set<string>()
  let songs = 0
  for (const file of files) {
    if (file.outcome !== "song") continue
    songs++
    albums.add(file.tags.album.toLowerCase())
    artists.add(file.tags.artist.toLowerCase())
    genres.add(file.tags.genre.toLowerCase())
  }
  return { songs, albums: albums.size, artists: artists.size, genres: genres.size }
}
