import type { CollectionRows, NamedRow, SongRow } from "../Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../Domain/Ids.js"
import type { FileState } from "../Database/Database.js"

const codePointCompare = (a: string, b: string): number => {
  const left = Array.from(a, (char) => char.codePointAt(0)!)
  const right = Array.from(b, (char) => char.codePointAt(0)!)
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i] !== right[i]) return left[i]! - right[i]!
  return left.length - right.length
}

/** Names differing only in case are one entity: keep the most frequent spelling, ties by code-point order. */
class SpellingVotes {
  private readonly votes = new Map<string, Map<string, number>>()

  add(name: string): string {
    const key = name.toLowerCase()
    let spellings = this.votes.get(key)
    if (spellings === undefined) this.votes.set(key, spellings = new Map())
    spellings.set(name, (spellings.get(name) ?? 0) + 1)
    return key
  }

  rows(idOf: (name: string) => string): Array<NamedRow> {
    const rows: Array<NamedRow> = []
    for (const spellings of this.votes.values()) {
      let best: [string, number] | undefined
      for (const entry of spellings) {
        if (best === undefined || entry[1] > best[1] || (entry[1] === best[1] && codePointCompare(entry[0], best[0]) < 0)) best = entry
      }
      rows.push({ id: idOf(best![0]), name: best![0] })
    }
    return rows
  }
}

/** The four tables derived from the scanned files (pure; ids per api.md). */
export const collectionFromFiles = (files: ReadonlyArray<FileState>): CollectionRows => {
  const albums = new SpellingVotes()
  const artists = new SpellingVotes()
  const genres = new SpellingVotes()
  const songs: Array<SongRow> = []
  for (const file of files) {
    if (file.outcome !== "song") continue
    const { tags } = file
    albums.add(tags.album)
    artists.add(tags.artist)
    genres.add(tags.genre)
    songs.push({
      id: songId(file.path),
      name: tags.name,
      length: tags.length,
      track: tags.track,
      year: tags.year,
      album_id: albumId(tags.album),
      artist_id: artistId(tags.artist),
      genre_id: genreId(tags.genre)
    })
  }
  return { songs, albums: albums.rows(albumId), artists: artists.rows(artistId), genres: genres.rows(genreId) }
}
