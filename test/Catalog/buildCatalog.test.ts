import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { collectionColumns, type CollectionRows, type SongRow } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"

const bodyOf = (rows: CollectionRows, endpoint: Endpoint, params: Record<string, string> = {}): string => {
  const result = queryCatalog(buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) }), endpoint, new Map(Object.entries(params)))
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right.body.toString("utf8")
}

const envelope = (items: ReadonlyArray<unknown>): string =>
  JSON.stringify({ success: items, errors: [], warnings: [] })

const trickyNames = [
  "plain",
  "with \"quotes\" and \\backslash\\",
  "control \u0000\u0001\n\r\t\u001f end",
  "del \u007f and line sep \u2028 \u2029",
  "emoji 😀 and astral 𝄞",
  "lone \ud800 surrogate",
  "trailing lone \udc00",
  "</script>",
  "ümlaut ß 東京"
]

describe("buildCatalog serialization", () => {
  it("writes exactly the bytes JSON.stringify would, for every kind of string", () => {
    const genres = trickyNames.map((name) => ({ id: genreId(name), name }))
    const expected = [...genres].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    // All names start with ASCII letters, so code unit order is code point order here.
    expect(bodyOf({ songs: [], albums: [], artists: [], genres }, "genres")).toBe(envelope(expected))
  })

  it("writes numbers as JSON does, including unusual values", () => {
    const values = [0, 7, 999999999, 1000000000, 1234567890123, -5, 1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 2]
    const songs: Array<SongRow> = values.map((value, i) => ({
      id: songId(`/n/${i}`),
      name: `song ${String(i).padStart(2, "0")}`,
      length: value,
      track: i,
      year: value,
      album_id: albumId("a"),
      artist_id: artistId("b"),
      genre_id: genreId("c")
    }))
    const body = bodyOf({ songs, albums: [], artists: [], genres: [] }, "songs")
    const expected = songs.map((song) => ({
      id: song.id,
      name: song.name,
      length: song.length,
      track: song.track,
      year: song.year,
      album: "",
      album_id: song.album_id,
      artist: "",
      artist_id: song.artist_id,
      genre: "",
      genre_id: song.genre_id
    }))
    expect(body).toBe(envelope(expected))
  })

  it("orders numbers numerically, NaN last", () => {
    const values = [10, -3, 2.5, Number.NaN, 1e12, 0, 2.5]
    const songs: Array<SongRow> = values.map((value, i) => ({
      id: songId(`/v/${i}`),
      name: `s${i}`,
      length: value,
      track: 0,
      year: 0,
      album_id: albumId("a"),
      artist_id: artistId("b"),
      genre_id: genreId("c")
    }))
    const parsed = JSON.parse(bodyOf({ songs, albums: [], artists: [], genres: [] }, "songs", { order: "length" }))
    const tieIds = songs.filter((song) => song.length === 2.5).map((song) => song.id).sort()
    expect(parsed.success.map((song: { length: number | null }) => song.length)).toEqual([-3, 0, 2.5, 2.5, 10, 1e12, null])
    expect(parsed.success.slice(2, 4).map((song: { id: string }) => song.id)).toEqual(tieIds)
  })

  it("serves every stored spelling of a UUID in its canonical form, and refuses ids that are not UUIDs", () => {
    const id = albumId("x")
    const spellings = [id, id.toUpperCase(), id.replaceAll("-", ""), `${id.replaceAll("-", "").slice(0, 7)}-${id.replaceAll("-", "").slice(7)}`]
    for (const spelling of spellings) {
      const albums = [{ id: spelling, name: "x" }]
      expect(bodyOf({ songs: [], albums, artists: [], genres: [] }, "albums")).toBe(envelope([{ id, name: "x" }]))
    }
    for (const bad of ["B", "", `${id}0`, id.slice(1), `${id.slice(0, -1)}g`, `{${id}}`]) {
      expect(() => collectionColumns({ songs: [], albums: [{ id: bad, name: "x" }], artists: [], genres: [] })).toThrow("not a UUID")
    }
  })

  it("handles an empty collection", () => {
    const empty = { songs: [], albums: [], artists: [], genres: [] }
    for (const endpoint of ["songs", "albums", "artists", "genres"] as const) {
      expect(bodyOf(empty, endpoint)).toBe("{\"success\":[],\"errors\":[],\"warnings\":[]}")
      expect(bodyOf(empty, endpoint, { query: "x", order: "id", direction: "desc", limit: "5" })).toBe(
        "{\"success\":[],\"errors\":[],\"warnings\":[]}"
      )
    }
  })
})
