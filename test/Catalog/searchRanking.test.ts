import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { collectionColumns } from "../../src/Domain/Collection.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { nightRanked, searchRows } from "./searchFixtures.js"

const catalog = buildCatalog(collectionColumns(searchRows), { generation: 1, loadedAt: new Date(0) })

const run = (endpoint: Endpoint, params: Record<string, string>, on = catalog) => {
  const result = queryCatalog(on, endpoint, new Map(Object.entries(params)))
  if (Either.isLeft(result)) throw new Error(`unexpected error ${result.left.message}`)
  const items = JSON.parse(result.right.body.toString("utf8")).success as Array<{ id: string; name: string }>
  return { body: result.right.body, total: result.right.total, items, names: items.map((item) => item.name) }
}

const pairs = (items: ReadonlyArray<{ id: string; name: string }>) => items.map((item) => [item.name, item.id])

describe("ranked search (query without order)", () => {
  it("ranks songs by field (title, artist, album, genre), then exact / starts with / later word, then name and id", () => {
    const { items, total } = run("songs", { query: "night" })
    expect(pairs(items)).toEqual(nightRanked)
    expect(total).toBe(nightRanked.length)
  })

  it("ranks a multi-word query: exact, then the name starting with it, then a later run of words", () => {
    expect(run("songs", { query: "night sky" }).names).toEqual(["Night Sky", "Night Sky Blue", "Into the Night Sky"])
    expect(run("songs", { query: "the night" }).names).toEqual(["The Night", "Into the Night Sky", "Delta"])
  })

  it("ranks albums, artists and genres by their own name", () => {
    expect(run("artists", { query: "night" }).names).toEqual(["Night", "Night Ranger", "The Night Watch"])
    expect(run("artists", { query: "nig" }).names).toEqual(["Night", "Night Ranger", "The Night Watch"])
    expect(run("albums", { query: "night" }).names).toEqual(["Night Songs"])
    expect(run("genres", { query: "n" }).names).toEqual(["Nightcore"])
  })

  it("puts a title match above a match on the artist only", () => {
    // By name "Calm" (artist Night Ranger) would come first.
    expect(run("songs", { query: "night r" }).names).toEqual(["Night Rider", "Calm"])
    expect(run("songs", { query: "night r", order: "name" }).names).toEqual(["Calm", "Night Rider"])
  })

  it("is deterministic: the same bytes again, and from the rows in another order", () => {
    const first = run("songs", { query: "night" }).body
    expect(run("songs", { query: "night" }).body.equals(first)).toBe(true)
    const reversed = buildCatalog(
      collectionColumns({
        songs: [...searchRows.songs].reverse(),
        albums: [...searchRows.albums].reverse(),
        artists: [...searchRows.artists].reverse(),
        genres: [...searchRows.genres].reverse()
      }),
      { generation: 2, loadedAt: new Date(0) }
    )
    expect(run("songs", { query: "night" }, reversed).body.equals(first)).toBe(true)
  })

  it("pages through the ranked order without duplicates or gaps", () => {
    for (const limit of [1, 2, 3, 5, 13, 20]) {
      const seen: Array<Array<string>> = []
      for (let offset = 0; offset < nightRanked.length + 3; offset += limit) {
        const page = run("songs", { query: "night", limit: String(limit), offset: String(offset) })
        expect(page.total).toBe(nightRanked.length)
        expect(page.items.length).toBe(Math.max(0, Math.min(limit, nightRanked.length - offset)))
        seen.push(...pairs(page.items))
      }
      expect(seen).toEqual(nightRanked)
    }
  })

  it("ranks within the other filters", () => {
    expect(run("songs", { query: "night", artist: "zed" }).names).toEqual([
      "Night",
      "Night",
      "Night Moves",
      "Night Rider",
      "Night Sky",
      "Night Sky Blue",
      "Nightfall",
      "Into the Night Sky",
      "The Night",
      "Beta",
      "Gamma"
    ])
    const page = run("songs", { query: "night", artist: "zed", limit: "2", offset: "8" })
    expect(page.names).toEqual(["The Night", "Beta"])
    expect(page.total).toBe(11)
    expect(run("songs", { query: "night", album: "night songs" }).names).toEqual(["Beta"])
    expect(run("songs", { query: "night", artist: "nobody" }).total).toBe(0)
  })

  it("keeps an explicit order as it was (relevance aside), ascending and descending", () => {
    const byName = [...nightRanked].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x! < y! ? -1 : 1))
    expect(pairs(run("songs", { query: "night", order: "name" }).items)).toEqual(byName)
    expect(pairs(run("songs", { query: "night", order: "name", direction: "desc" }).items)).toEqual([...byName].reverse())
    expect(run("songs", { query: "night", order: "track", limit: "3" }).names).toEqual(["Into the Night Sky", "Calm", "Nightfall"])
    expect(run("artists", { query: "night", order: "name", direction: "desc" }).names).toEqual([
      "The Night Watch",
      "Night Ranger",
      "Night"
    ])
    // `direction` without `order` is ignored, as before: still ranked.
    expect(pairs(run("songs", { query: "night", direction: "desc" }).items)).toEqual(nightRanked)
  })
})

describe("the per-query cache", () => {
  it("never changes an answer, also once older queries were dropped", () => {
    const fresh = buildCatalog(collectionColumns(searchRows), { generation: 3, loadedAt: new Date(0) })
    const queries = ["night", "night sky", "nig", "the", "bjork", "zz", "n"]
    const first = queries.map((query) => run("songs", { query, limit: "5" }, fresh).body)
    // Hundreds of distinct queries push the first ones out of the cache.
    for (let i = 0; i < 600; i++) run("songs", { query: `q${i}` }, fresh)
    queries.forEach((query, i) => {
      expect(run("songs", { query, limit: "5" }, fresh).body.equals(first[i]!), query).toBe(true)
      expect(run("songs", { query, limit: "5" }, fresh).body.equals(run("songs", { query, limit: "5" }).body), query).toBe(true)
    })
    expect(pairs(run("songs", { query: "night" }, fresh).items)).toEqual(nightRanked)
  })
})

describe("the kept pages", () => {
  it("answer alternating orders, directions and pages of one query as a fresh catalog does", () => {
    const fresh = () => buildCatalog(collectionColumns(searchRows), { generation: 4, loadedAt: new Date(0) })
    const reused = fresh()
    const requests: Array<Record<string, string>> = [
      { query: "night", limit: "3" },
      { query: "night", limit: "3", offset: "3" },
      { query: "night", order: "name", limit: "3" },
      { query: "night", order: "name", direction: "desc", limit: "3" },
      { query: "night", order: "track", limit: "3" },
      { query: "night", order: "track", limit: "3", offset: "1" },
      { query: "night", order: "name", limit: "3", album: "plain" },
      { query: "night" }
    ]
    for (let round = 0; round < 3; round++) {
      for (const params of [...requests, ...[...requests].reverse()]) {
        const label = JSON.stringify(params)
        expect(run("songs", params, reused).body.equals(run("songs", params, fresh()).body), label).toBe(true)
      }
    }
  })
})

describe("wider folding through queries", () => {
  it("finds names spelled with letters and punctuation that do not decompose", () => {
    expect(run("artists", { query: "bjork" }).names).toEqual(["Bjørk"])
    expect(run("albums", { query: "oeuvre" }).names).toEqual(["Œuvre"])
    expect(run("songs", { query: "oeuvre" }).names).toEqual(["Jóga"])
    expect(run("songs", { query: "strasse" }).names).toEqual(["Straße"])
    expect(run("songs", { query: "STRAẞE" }).names).toEqual(["Straße"])
    expect(run("songs", { query: "alt-j" }).names).toEqual(["alt\u2010J"])
    expect(run("songs", { query: "alt\u2014j" }).names).toEqual(["alt\u2010J"])
    expect(run("songs", { query: "ruby soho" }).names).toEqual(["Ruby\u00a0Soho"])
    expect(run("songs", { query: "soho" }).names).toEqual(["Ruby\u00a0Soho"])
    expect(run("songs", { query: "don't" }).names).toEqual(["Don\u2019t Stop"])
    expect(run("songs", { query: "don\u2018t s" }).names).toEqual(["Don\u2019t Stop"])
  })

  it("still finds the spellings that matched before", () => {
    expect(run("songs", { query: "straße" }).names).toEqual(["Straße"])
    expect(run("songs", { query: "alt\u2010j" }).names).toEqual(["alt\u2010J"])
    expect(run("songs", { query: "ruby\u00a0soho" }).names).toEqual(["Ruby\u00a0Soho"])
    expect(run("artists", { query: "bjørk" }).names).toEqual(["Bjørk"])
    expect(run("songs", { query: "joga" }).names).toEqual(["Jóga"])
  })
})
