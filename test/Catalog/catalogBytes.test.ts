import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { songFields } from "../../src/Catalog/SongTable.js"
import { collectionColumns, type CollectionRows, type NamedRow, type SongRow } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { referenceQuery } from "./referenceQuery.js"

let seed = 777
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0
  return (seed >>> 8) / 16777216
}
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

// Every kind of text the serializer treats differently: plain ASCII, escapes, control characters, DEL,
// non-ASCII, astral characters, the empty name (lone surrogates: see buildCatalog.test.ts, the model
// orders them differently).
const parts = [
  "love", "The", "a", "día", "Björk", "東京", "😀", "𝄞x", "\"quoted\"", "back\\slash", "tab\there", "nl\n", "\u0000",
  "\u001f", "del\u007f", "\u2028", "</script>", "Ａ", "", " "
]
const randomName = (): string => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(parts)).join(pick([" ", "", "  "]))

const table = (count: number, id: (name: string) => string): Array<NamedRow> => {
  const seen = new Map<string, NamedRow>()
  for (let i = 0; i < count * 3 && seen.size < count; i++) {
    const name = randomName()
    if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), { id: id(name), name })
  }
  return [...seen.values()]
}

const randomCollection = (songCount: number): CollectionRows => {
  const albums = table(songCount >> 2, albumId)
  const artists = table(songCount >> 3, artistId)
  const genres = table(5, genreId)
  const ref = (rows: ReadonlyArray<NamedRow>, missing: (name: string) => string): string =>
    random() < 0.1 ? missing(`missing ${Math.floor(random() * 3)}`) : pick(rows).id
  const numbers = [0, 1, 7, 59, 2004, 999999999, 1000000000, 1234567890123, -5, 1.5, -0, 2 ** 53 + 2]
  const songs: Array<SongRow> = Array.from({ length: songCount }, (_, i) => ({
    id: songId(`/music/${i}.flac`),
    name: randomName(),
    length: pick(numbers),
    track: pick(numbers),
    year: pick(numbers),
    album_id: ref(albums, albumId),
    artist_id: ref(artists, artistId),
    genre_id: ref(genres, genreId)
  }))
  return { songs, albums, artists, genres }
}

const envelope = (items: ReadonlyArray<unknown>): string => JSON.stringify({ success: items, errors: [], warnings: [] })

describe("catalog bytes", () => {
  it("are exactly JSON.stringify of the reference model, for every endpoint, order and direction", () => {
    const rows = randomCollection(3000)
    const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    const endpoints: ReadonlyArray<readonly [Endpoint, ReadonlyArray<string>]> = [
      ["songs", songFields],
      ["albums", ["id", "name"]],
      ["artists", ["id", "name"]],
      ["genres", ["id", "name"]]
    ]
    let compared = 0
    for (const [endpoint, fields] of endpoints) {
      for (const params of [new Map<string, string>(), ...fields.flatMap((order) => ["asc", "desc"].map((direction) => new Map([["order", order], ["direction", direction]])))]) {
        const expected = referenceQuery(rows, endpoint, params)
        const actual = queryCatalog(catalog, endpoint, params)
        if (!expected.ok || Either.isLeft(actual)) throw new Error(`${endpoint} ${JSON.stringify([...params])} failed`)
        expect(actual.right.body.toString("utf8"), `${endpoint} ${JSON.stringify([...params])}`).toBe(envelope(expected.items))
        compared++
      }
    }
    expect(compared).toBe(1 + 22 + 3 * 5)
  })
})
