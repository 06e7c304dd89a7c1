import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { renderErrorEnvelope } from "../../src/Catalog/ApiError.js"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { songFields } from "../../src/Catalog/SongTable.js"
import { type Endpoint, queryCatalog, queryCatalogWith } from "../../src/Catalog/queryCatalog.js"
import { collectionColumns, type CollectionRows, type NamedRow, type SongRow } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { referenceQuery } from "./referenceQuery.js"

let seed = 12345
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0
  return (seed >>> 8) / 16777216
}
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
const chance = (p: number): boolean => random() < p

const words = [
  "love", "lover", "Love", "loving", "björk", "Bjork", "BJÖRK", "the", "The", "a", "an", "día", "dia",
  "ｆｕｌｌ", "Ａ", "😀", "😀x", "\uFF21b", "中文", "straße", "ÉCOLE", "ecole", "x", "xy", "xyz", "punk", "ska",
  "giving", "up", "is", "this", "¡uno!", "o'neil", "\"quoted\"", "back\\slash", "İstanbul", "bjørk", "Œuvre", "oeuvre",
  "alt\u2010j", "alt-j", "don\u2019t", "don't", "strasse", "þorn"
]
const separators = [" ", " ", " ", " ", "  ", "\t", "\u3000", "\u00a0"]
const randomName = (maxWords: number): string => {
  const count = 1 + Math.floor(random() * maxWords)
  let name = chance(0.05) ? " " : ""
  for (let i = 0; i < count; i++) name += (i === 0 ? "" : pick(separators)) + pick(words)
  return name
}

const table = (count: number, id: (name: string) => string): Array<NamedRow> => {
  const seen = new Map<string, NamedRow>()
  for (let i = 0; i < count * 3 && seen.size < count; i++) {
    const name = randomName(3)
    if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), { id: id(name), name })
  }
  return [...seen.values()]
}

const randomCollection = (songCount: number): CollectionRows => {
  const albums = table(Math.max(1, songCount >> 3), albumId)
  const artists = table(Math.max(1, songCount >> 4), artistId)
  const genres = table(6, genreId)
  const ref = (rows: ReadonlyArray<NamedRow>, missing: (name: string) => string): string =>
    chance(0.05) || rows.length === 0 ? missing(`missing ${Math.floor(random() * 3)}`) : pick(rows).id
  const songs: Array<SongRow> = Array.from({ length: songCount }, (_, i) => ({
    id: songId(`/music/${i}.mp3`),
    name: chance(0.1) ? pick(["Intro", "intro", "Outro"]) : randomName(5),
    length: Math.floor(random() * 8) * 30,
    track: Math.floor(random() * 5),
    year: pick([0, 1994, 1997, 2001, 2020]),
    album_id: ref(albums, albumId),
    artist_id: ref(artists, artistId),
    genre_id: ref(genres, genreId)
  }))
  return { songs, albums, artists, genres }
}

const spellId = (id: string): string =>
  pick([id, id.replaceAll("-", ""), id.toUpperCase(), `{${id}}`, `urn:uuid:${id}`])

const randomQuery = (rows: CollectionRows): string => {
  const source = pick([rows.songs, rows.albums, rows.artists, rows.genres])
  if (source.length === 0 || chance(0.1)) return pick(["", " ", "zzz", "the giv", "a  b"])
  const name = pick(source).name
  const start = chance(0.5) ? 0 : Math.max(0, name.indexOf(" ") + 1)
  const end = start + 1 + Math.floor(random() * (name.length - start))
  const text = name.slice(start, end)
  return pick([text, text.toUpperCase(), text.toLowerCase(), ` ${text} `, text.normalize("NFD")])
}

const integers = ["0", "1", "2", "3", " 5 ", "+2", "-0", "10", "99999999999999999999", "-1", "foo", "1.5"]

const randomParams = (rows: CollectionRows, endpoint: Endpoint): Map<string, string> => {
  const params = new Map<string, string>()
  if (chance(0.5)) params.set("query", randomQuery(rows))
  const named = [["album", rows.albums], ["artist", rows.artists], ["genre", rows.genres]] as const
  for (const [field, table] of named) {
    if (chance(0.15)) {
      const name = table.length > 0 && chance(0.9) ? pick(table).name : "no such name"
      params.set(field, pick([name, name.toUpperCase(), name.toLowerCase()]))
    }
    if (chance(0.15)) {
      params.set(
        `${field}_id`,
        chance(0.03) ? "xyz" : spellId(
          table.length > 0 && chance(0.8)
            ? pick(table).id
            : rows.songs.length > 0
            ? pick(rows.songs)[`${field}_id`]
            : albumId("x")
        )
      )
    }
  }
  if (chance(0.7)) {
    params.set("order", chance(0.03) ? "bogus" : pick(endpoint === "songs" ? songFields : ["id", "name"]))
  }
  if (chance(0.5)) params.set("direction", chance(0.03) ? "sideways" : pick(["asc", "desc"]))
  if (chance(0.5)) params.set("limit", chance(0.8) ? pick(integers.slice(0, 9)) : pick(integers))
  if (chance(0.4)) params.set("offset", chance(0.8) ? pick(integers.slice(0, 9)) : pick(integers))
  return params
}

describe("queryCatalog agrees with a naive model of api.md", () => {
  it.each([[0, 5], [1, 10], [40, 400], [300, 600], [2000, 300]] as const)(
    "on a random collection of %i songs (%i queries per endpoint)",
    (songCount, queries) => {
      const rows = randomCollection(songCount)
      const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
      let nonEmpty = 0
      let errors = 0
      let paged = 0
      for (const endpoint of ["songs", "albums", "artists", "genres"] as const) {
        for (let q = 0; q < queries; q++) {
          const params = randomParams(rows, endpoint)
          const label = `${endpoint} ${JSON.stringify([...params])}`
          const expected = referenceQuery(rows, endpoint, params)
          const actual = queryCatalog(catalog, endpoint, params)
          // Each way of ordering a filtered set must give the very same response.
          for (const strategy of ["walk", "sort"] as const) {
            const forced = queryCatalogWith(catalog, endpoint, params, strategy)
            expect(Either.isRight(forced), `${label} ${strategy}`).toBe(Either.isRight(actual))
            if (Either.isRight(forced) && Either.isRight(actual)) {
              expect(forced.right.body.equals(actual.right.body), `${label} ${strategy}`).toBe(true)
              expect(forced.right.total, `${label} ${strategy}`).toBe(actual.right.total)
            }
          }
          if (expected.ok) {
            if (expected.items.length > 0) nonEmpty++
            if (expected.items.length < expected.total) paged++
            expect(Either.isRight(actual), label).toBe(true)
            if (Either.isRight(actual)) {
              const body = JSON.parse(actual.right.body.toString("utf8"))
              expect(body.success, label).toEqual(expected.items)
              expect(actual.right.total, label).toBe(expected.total)
              expect(actual.right.count, label).toBe(expected.items.length)
            }
          } else {
            errors++
            expect(Either.isLeft(actual), label).toBe(true)
            if (Either.isLeft(actual)) {
              const error = JSON.parse(renderErrorEnvelope(actual.left).body).errors[0]
              expect(error.code, label).toBe(expected.code)
              expect(error.payload, label).toEqual(
                Object.fromEntries(
                  Object.entries(expected.payload).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])
                )
              )
            }
          }
        }
      }
      // The random parameters must exercise real results, paging and errors, not just empty lists.
      if (songCount >= 40) {
        expect(nonEmpty).toBeGreaterThan(queries)
        expect(paged).toBeGreaterThan(queries / 4)
        expect(errors).toBeGreaterThan(queries / 20)
      }
    }
  )
})
