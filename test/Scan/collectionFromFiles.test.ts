import { describe, expect, it } from "vitest"
import type { FileState } from "../../src/Database/Database.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { collectionCounts, collectionFromFiles } from "../../src/Scan/collectionFromFiles.js"

const song = (path: string, artist: string, album: string, genre = "Rock"): FileState => ({
  path,
  size: 1,
  mtimeMs: 1,
  outcome: "song",
  tags: { name: path, album, artist, genre, track: 1, year: 2000, length: 60 }
})

const files: ReadonlyArray<FileState> = [
  song("/m/1.mp3", "Björk", "Post"),
  song("/m/2.mp3", "björk", "post"),
  song("/m/3.mp3", "BJÖRK", "Post", "Pop"),
  song("/m/4.mp3", "Sigur Rós", "", ""),
  { path: "/m/cover.jpg", size: 1, mtimeMs: 1, outcome: "not-audio", tags: { name: "", album: "Nope", artist: "Nope", genre: "Nope", track: 0, year: 0, length: 0 } }
]

describe("collectionFromFiles", () => {
  it("one entity per case-insensitive name, the most frequent spelling, ids from the lowercased name", () => {
    const rows = collectionFromFiles(files)
    expect(rows.songs.map((row) => row.id)).toEqual(["/m/1.mp3", "/m/2.mp3", "/m/3.mp3", "/m/4.mp3"].map(songId))
    expect(rows.artists).toEqual([{ id: artistId("björk"), name: "BJÖRK" }, { id: artistId("Sigur Rós"), name: "Sigur Rós" }])
    expect(rows.albums).toEqual([{ id: albumId("post"), name: "Post" }, { id: albumId(""), name: "" }])
    expect(rows.genres.map((row) => row.id)).toEqual([genreId("rock"), genreId("pop"), genreId("")])
    expect(rows.songs[1]).toMatchObject({ album_id: albumId("Post"), artist_id: artistId("Björk"), genre_id: genreId("Rock") })
  })

  it("collectionCounts agrees with the rows, without computing them", () => {
    const rows = collectionFromFiles(files)
    expect(collectionCounts(files)).toEqual({ songs: rows.songs.length, albums: rows.albums.length, artists: rows.artists.length, genres: rows.genres.length })
  })
})
