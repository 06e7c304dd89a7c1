import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { renderErrorEnvelope } from "../../src/Catalog/ApiError.js"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { collectionColumns } from "../../src/Domain/Collection.js"
import { songFields } from "../../src/Catalog/SongTable.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { missingAlbumId, rows } from "./fixtures.js"

const catalog = buildCatalog(collectionColumns(rows), { generation: 7, loadedAt: new Date(0) })

type Item = Record<string, string | number>

const run = (endpoint: Endpoint, params: Record<string, string> = {}) => {
  const result = queryCatalog(catalog, endpoint, new Map(Object.entries(params)))
  if (Either.isLeft(result)) throw new Error(`unexpected error ${result.left.message}`)
  const text = result.right.body.toString("utf8")
  const parsed = JSON.parse(text) as { success: Array<Item>; errors: Array<unknown>; warnings: Array<unknown> }
  return {
    text,
    parsed,
    total: result.right.total,
    count: result.right.count,
    body: result.right.body,
    items: parsed.success,
    names: parsed.success.map((item) => item.name),
    ids: parsed.success.map((item) => item.id)
  }
}

const fail = (endpoint: Endpoint, params: Record<string, string>) => {
  const result = queryCatalog(catalog, endpoint, new Map(Object.entries(params)))
  if (Either.isRight(result)) throw new Error("expected an error")
  const { body, status } = renderErrorEnvelope(result.left)
  const parsed = JSON.parse(body) as {
    success: null
    errors: Array<{ code: number; message: string; message_key: string; payload: Record<string, unknown> }>
    warnings: Array<unknown>
  }
  return { status, body, parsed, error: parsed.errors[0]! }
}

const namesInOrder = [
  "Adicción, Tradición, Revolución",
  "Basket Case",
  "Intro",
  "Intro",
  "Jóga",
  "Linoleum",
  "Live at the BBQ",
  "Nuclear Family",
  "Orphan",
  "Out of Step",
  "This Is Giving Up",
  "Unravel",
  "Ａ",
  "😀"
]

const nofxIntro = songId("/music/NOFX/00-intro.mp3")
const minorThreatIntro = songId("/music/Minor_Threat/00-intro.mp3")
const [firstIntro, secondIntro] = [nofxIntro, minorThreatIntro].sort()
const homogenic = albumId("Homogenic")

describe("queryCatalog: whole lists", () => {
  it("returns every song in the default order (name, then id) with the total", () => {
    const result = run("songs")
    expect(result.names).toEqual(namesInOrder)
    expect(result.ids[2]).toBe(firstIntro)
    expect(result.ids[3]).toBe(secondIntro)
    expect(result.total).toBe(14)
    expect(result.count).toBe(14)
  })

  it("serves the precomputed body when there are no (known) parameters", () => {
    expect(run("songs").body).toBe(catalog.songs.body)
    expect(run("albums", { foo: "bar", direction: "sideways", offset: "5" }).body).toBe(catalog.albums.body)
    expect(run("artists").body).toBe(catalog.artists.body)
    expect(run("genres").body).toBe(catalog.genres.body)
  })

  it("lists albums, artists and genres as {id, name} by name", () => {
    expect(run("albums").items).toEqual([
      "Dookie",
      "Firme",
      "Homogenic",
      "How I Spent My Summer Vacation",
      "Out of Step",
      "Punk in Drublic",
      "¡Uno!",
      "Ａ Side",
      "😀 Side"
    ].map((name) => ({ id: albumId(name), name })))
    expect(run("artists").names).toEqual([
      "Björk",
      "Green Day",
      "Minor Threat",
      "NOFX",
      "The Bouncing Souls",
      "Voodoo Glow Skulls"
    ])
    expect(run("genres").items).toEqual(
      ["Electronic", "Hardcore", "Punk", "Punk Ska"].map((name) => ({ id: genreId(name), name }))
    )
  })

  it("uses the envelope and key order of api.md, with non-ASCII emitted as is", () => {
    const result = run("songs", { query: "adiccion" })
    expect(result.text).toBe(
      "{\"success\":[{\"id\":\"56b33b92-d5b6-5971-b166-dc959b442c0c\",\"name\":\"Adicción, Tradición, Revolución\"," +
        "\"length\":142,\"track\":2,\"year\":1995,\"album\":\"Firme\",\"album_id\":\"" + albumId("Firme") + "\"," +
        "\"artist\":\"Voodoo Glow Skulls\",\"artist_id\":\"" + artistId("Voodoo Glow Skulls") + "\"," +
        "\"genre\":\"Punk Ska\",\"genre_id\":\"3af7ba62-d87f-5258-af62-d7c5655ec567\"}],\"errors\":[],\"warnings\":[]}"
    )
    expect(Object.keys(result.parsed)).toEqual(["success", "errors", "warnings"])
    for (const item of run("songs").items) expect(Object.keys(item)).toEqual([...songFields])
    for (const item of run("genres").items) expect(Object.keys(item)).toEqual(["id", "name"])
  })

  it("matches the known ids of api.md", () => {
    expect(albumId("¡Uno!")).toBe("32792eb5-03ff-5837-9869-d77ac9b5c99f")
    expect(artistId("Minor Threat")).toBe("debcc564-211b-559c-b810-e72598bdaf47")
    expect(genreId("Punk Ska")).toBe("3af7ba62-d87f-5258-af62-d7c5655ec567")
    expect(songId("/music/Voodoo_Glow_Skulls/02-adicción,_tradición,_revolución.ogg"))
      .toBe("56b33b92-d5b6-5971-b166-dc959b442c0c")
    expect(run("albums").items).toContainEqual({ id: "32792eb5-03ff-5837-9869-d77ac9b5c99f", name: "¡Uno!" })
    expect(run("artists").items).toContainEqual({ id: "debcc564-211b-559c-b810-e72598bdaf47", name: "Minor Threat" })
    expect(run("genres").items).toContainEqual({ id: "3af7ba62-d87f-5258-af62-d7c5655ec567", name: "Punk Ska" })
  })

  it("fills song references from the tables, and \"\" for a missing one", () => {
    expect(run("songs", { query: "nuclear" }).items).toEqual([{
      id: songId("/music/Green_Day/Uno/01-nuclear_family.ogg"),
      name: "Nuclear Family",
      length: 181,
      track: 1,
      year: 2012,
      album: "¡Uno!",
      album_id: "32792eb5-03ff-5837-9869-d77ac9b5c99f",
      artist: "Green Day",
      artist_id: artistId("Green Day"),
      genre: "Punk",
      genre_id: genreId("Punk")
    }])
    expect(run("songs", { query: "orphan" }).items[0]).toMatchObject({ album: "", album_id: missingAlbumId })
  })

  it("keeps its build info", () => {
    expect(catalog.generation).toBe(7)
    expect(catalog.loadedAt.getTime()).toBe(0)
  })
})

describe("queryCatalog: text search", () => {
  it("folds accents and case (bjork finds Björk)", () => {
    expect(run("artists", { query: "bjork" }).names).toEqual(["Björk"])
    expect(run("artists", { query: "BJÖRK" }).names).toEqual(["Björk"])
    expect(run("artists", { query: "  Bjo\u0301rk\u3000" }).names).toEqual(["Björk"])
    expect(run("songs", { query: "joga" }).names).toEqual(["Jóga"])
  })

  it("matches prefixes of the whole name, each word and each trailing run", () => {
    for (const query of ["giv", "giving u", "is giv", "this is giving up", "up", "THIS", "is giving up", "Giving Up"]) {
      expect(run("songs", { query }).names).toEqual(["This Is Giving Up"])
    }
    for (const query of ["this giving", "iving", "giving  up", "this is giving up now", "is  giv"]) {
      expect(run("songs", { query }).names).toEqual([])
    }
  })

  it("matches nothing for an empty or all-whitespace query", () => {
    for (const endpoint of ["songs", "albums", "artists", "genres"] as const) {
      for (const query of ["", "   ", "\t\u3000"]) {
        const result = run(endpoint, { query })
        expect(result.items).toEqual([])
        expect(result.total).toBe(0)
      }
    }
  })

  it("matches songs through their album, artist or genre name", () => {
    expect(run("songs", { query: "dookie" }).names).toEqual(["Basket Case"])
    expect(run("songs", { query: "bjork" }).names).toEqual(["Jóga", "Unravel"])
    expect(run("songs", { query: "ska" }).names).toEqual(["Adicción, Tradición, Revolución"])
    // Ranked (README "Search"): a match on the title before a match on the album only.
    expect(run("songs", { query: "step" }).items.map((item) => [item.name, item.artist])).toEqual([
      ["Out of Step", "Minor Threat"],
      ["Intro", "Minor Threat"]
    ])
    // Album "Punk in Drublic" (name starts with the query), then genre "Punk" (exact), then "Punk Ska".
    expect(run("songs", { query: "punk" }).names).toEqual([
      "Intro",
      "Linoleum",
      "Basket Case",
      "Live at the BBQ",
      "Nuclear Family",
      "This Is Giving Up",
      "Ａ",
      "😀",
      "Adicción, Tradición, Revolución"
    ])
    expect(run("songs", { query: "punk", order: "name" }).names).toEqual([
      "Adicción, Tradición, Revolución",
      "Basket Case",
      "Intro",
      "Linoleum",
      "Live at the BBQ",
      "Nuclear Family",
      "This Is Giving Up",
      "Ａ",
      "😀"
    ])
    expect(run("songs", { query: "lost" }).names).toEqual([])
  })

  it("searches albums, artists and genres by their own name only", () => {
    expect(run("albums", { query: "side" }).names).toEqual(["Ａ Side", "😀 Side"])
    expect(run("albums", { query: "ａ" }).names).toEqual(["Ａ Side"])
    expect(run("albums", { query: "uno" }).names).toEqual([])
    expect(run("albums", { query: "¡u" }).names).toEqual(["¡Uno!"])
    expect(run("albums", { query: "green" }).names).toEqual([])
    expect(run("genres", { query: "punk" }).names).toEqual(["Punk", "Punk Ska"])
    expect(run("genres", { query: "punk s" }).names).toEqual(["Punk Ska"])
    expect(run("artists", { query: "souls" }).names).toEqual(["The Bouncing Souls"])
    expect(run("artists", { query: "s" }).names).toEqual(["The Bouncing Souls", "Voodoo Glow Skulls"])
  })
})

describe("queryCatalog: filters", () => {
  it("filters by album, artist and genre name, case-insensitively", () => {
    expect(run("songs", { artist: "NOFX" }).names).toEqual(["Intro", "Linoleum", "Ａ", "😀"])
    expect(run("songs", { artist: "nofx" }).names).toEqual(["Intro", "Linoleum", "Ａ", "😀"])
    expect(run("songs", { album: "¡UNO!" }).names).toEqual(["Nuclear Family"])
    expect(run("songs", { genre: "punk ska" }).names).toEqual(["Adicción, Tradición, Revolución"])
    expect(run("songs", { artist: "BJÖRK" }).names).toEqual(["Jóga", "Unravel"])
  })

  it("treats an unknown name as matching nothing, not as an error", () => {
    expect(run("songs", { album: "Nonexistent" }).items).toEqual([])
    expect(run("songs", { album: "" }).total).toBe(0)
    expect(run("songs", { artist: "bjork" }).items).toEqual([])
  })

  it("filters by id in any accepted spelling", () => {
    const compact = homogenic.replaceAll("-", "")
    for (const spelling of [homogenic, compact, compact.toUpperCase(), `{${homogenic}}`, `urn:uuid:${homogenic}`]) {
      expect(run("songs", { album_id: spelling }).names).toEqual(["Jóga", "Unravel"])
    }
    expect(run("songs", { artist_id: "debcc564211b559cb810e72598bdaf47" }).names).toEqual([
      "Intro",
      "Orphan",
      "Out of Step"
    ])
    expect(run("songs", { genre_id: "3AF7BA62-D87F-5258-AF62-D7C5655EC567" }).names).toEqual([
      "Adicción, Tradición, Revolución"
    ])
    expect(run("songs", { album_id: missingAlbumId }).names).toEqual(["Orphan"])
    expect(run("songs", { album_id: albumId("never heard of it") }).items).toEqual([])
  })

  it("intersects several filters", () => {
    expect(run("songs", { query: "Live", artist: "The Bouncing Souls" }).names).toEqual(["Live at the BBQ"])
    expect(run("songs", { artist: "Minor Threat", genre: "Hardcore", album: "Out of Step" }).names).toEqual([
      "Intro",
      "Out of Step"
    ])
    expect(run("songs", { artist: "Minor Threat", query: "intro" }).ids).toEqual([minorThreatIntro])
    expect(run("songs", { artist: "Green Day", album: "Homogenic" }).items).toEqual([])
    expect(run("songs", { artist_id: artistId("Björk"), album_id: homogenic, genre: "electronic", query: "un" }).names)
      .toEqual(["Unravel"])
  })

  it("ignores song filters on the other endpoints, and unknown parameters everywhere", () => {
    expect(run("albums", { artist: "NOFX", album_id: "xyz", genre_id: "bad" }).total).toBe(9)
    expect(run("songs", { bogus: "1", Query: "x", LIMIT: "-1" }).total).toBe(14)
  })
})

const codePoints = (text: string): Array<number> => Array.from(text, (char) => char.codePointAt(0)!)
const compareValues = (a: string | number, b: string | number): number => {
  if (typeof a === "number" && typeof b === "number") return a - b
  const x = codePoints(String(a))
  const y = codePoints(String(b))
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

describe("queryCatalog: ordering", () => {
  const all = run("songs").items

  it.each(songFields.map((field) => [field]))("orders songs by %s, ties by id, desc the exact reverse", (field) => {
    const expected = [...all].sort((a, b) => compareValues(a[field]!, b[field]!) || compareValues(a.id!, b.id!))
    const asc = run("songs", { order: field })
    expect(asc.items).toEqual(expected)
    expect(run("songs", { order: field, direction: "asc" }).items).toEqual(expected)
    expect(run("songs", { order: field, direction: "desc" }).items).toEqual([...expected].reverse())
  })

  it("orders concrete examples as expected", () => {
    expect(run("songs", { order: "length" }).names.slice(0, 4)).toEqual(["Ａ", "😀", "Intro", "Intro"])
    const byLength = run("songs", { order: "length" }).items
    const at181 = byLength.filter((item) => item.length === 181).map((item) => item.id)
    expect(at181).toEqual([...at181].sort())
    expect(at181).toHaveLength(2)
    const newest = all.filter((item) => item.year === 2020).map((item) => item.id).sort().reverse()
    expect(newest).toHaveLength(2)
    expect(run("songs", { order: "year", direction: "desc", limit: "2" }).ids).toEqual(newest)
    expect(run("songs", { order: "album" }).names[0]).toBe("Orphan")
    expect(run("songs", { order: "track" }).ids.slice(0, 2)).toEqual([firstIntro, secondIntro])
  })

  it("compares strings by code point: U+FF21 sorts before U+1F600", () => {
    expect(run("songs", { order: "name" }).names.slice(-2)).toEqual(["Ａ", "😀"])
    expect(run("songs", { order: "name", direction: "desc" }).names.slice(0, 2)).toEqual(["😀", "Ａ"])
    expect(run("albums", { order: "name" }).names.slice(-2)).toEqual(["Ａ Side", "😀 Side"])
    expect(run("songs", { order: "album", direction: "desc" }).names.slice(0, 2)).toEqual(["😀", "Ａ"])
  })

  it("orders albums, artists and genres by id or name", () => {
    const albums = run("albums").items
    expect(run("albums", { order: "id" }).ids).toEqual(albums.map((item) => item.id).sort())
    expect(run("albums", { order: "id", direction: "desc" }).ids).toEqual(albums.map((item) => item.id).sort().reverse())
    expect(run("genres", { order: "name", direction: "desc" }).names).toEqual(["Punk Ska", "Punk", "Hardcore", "Electronic"])
  })

  it("applies order to filtered results before paging", () => {
    expect(run("songs", { artist: "NOFX", order: "length", direction: "desc", limit: "2" }).names).toEqual(["Linoleum", "Intro"])
    expect(run("songs", { query: "punk", order: "year", limit: "3", offset: "1" }).items.map((item) => item.year))
      .toEqual([1994, 1994, 1995])
  })

  it("ignores direction without order", () => {
    expect(run("songs", { direction: "desc" }).names).toEqual(namesInOrder)
    expect(run("songs", { direction: "sideways" }).names).toEqual(namesInOrder)
  })
})

describe("queryCatalog: paging", () => {
  it("applies limit and offset after ordering, and reports the total before paging", () => {
    const page = run("songs", { limit: "2", offset: "3" })
    expect(page.names).toEqual(namesInOrder.slice(3, 5))
    expect(page.total).toBe(14)
    expect(page.count).toBe(2)
    expect(run("songs", { limit: "3" }).names).toEqual(namesInOrder.slice(0, 3))
    expect(run("songs", { limit: "0" }).items).toEqual([])
    expect(run("songs", { limit: "0" }).total).toBe(14)
    expect(run("songs", { limit: "2", offset: "13" }).names).toEqual(["😀"])
    expect(run("songs", { limit: "2", offset: "14" }).names).toEqual([])
  })

  it("ignores offset without limit", () => {
    expect(run("songs", { offset: "3" }).names).toEqual(namesInOrder)
    expect(run("songs", { offset: "-5" }).names).toEqual(namesInOrder)
  })

  it("parses integers like Python's int()", () => {
    expect(run("songs", { limit: " 5 " }).names).toEqual(namesInOrder.slice(0, 5))
    expect(run("songs", { limit: "+3" }).names).toEqual(namesInOrder.slice(0, 3))
    expect(run("songs", { limit: "-0" }).items).toEqual([])
    expect(run("songs", { limit: "2", offset: "-0" }).names).toEqual(namesInOrder.slice(0, 2))
    expect(run("songs", { limit: "1_0" }).count).toBe(10)
    expect(run("songs", { limit: "\u3000٣" }).count).toBe(3)
  })

  it("clamps huge limits and offsets", () => {
    expect(run("songs", { limit: "99999999999999999999" }).names).toEqual(namesInOrder)
    expect(run("songs", { limit: "99999999999999999999", offset: "12" }).names).toEqual(["Ａ", "😀"])
    expect(run("songs", { limit: "1", offset: "99999999999999999999" }).items).toEqual([])
    expect(run("songs", { limit: "1", offset: "99999999999999999999" }).total).toBe(14)
    expect(run("songs", { order: "year", direction: "desc", limit: "1", offset: "99999999999999999999" }).items)
      .toEqual([])
    expect(run("songs", { query: "punk", limit: "99999999999999999999" }).count).toBe(9)
  })
})

describe("queryCatalog: errors", () => {
  it("rejects a malformed id with 101", () => {
    expect(fail("songs", { album_id: "xyz" })).toMatchObject({
      status: 400,
      error: {
        code: 101,
        message: "Invalid field value for UUID field album_id: 'xyz'",
        message_key: "avalon.service.error.invalid_input_type",
        payload: { field: "album_id", value: "xyz" }
      }
    })
    expect(fail("songs", { artist_id: "" }).error.payload).toEqual({ field: "artist_id", value: "" })
    expect(fail("songs", { genre_id: homogenic + "0" }).error.code).toBe(101)
    expect(fail("songs", { album_id: homogenic, artist_id: "nope", genre_id: "bad" }).error.payload.field).toBe(
      "artist_id"
    )
  })

  it("rejects a bad direction with 102 and an unknown order field with 100", () => {
    expect(fail("songs", { order: "name", direction: "sideways" })).toMatchObject({
      status: 400,
      error: {
        code: 102,
        message: "Invalid sort direction 'sideways'",
        message_key: "avalon.service.error.invalid_input_value",
        payload: { direction: "sideways" }
      }
    })
    expect(fail("songs", { order: "name", direction: "DESC" }).error.code).toBe(102)
    expect(fail("songs", { order: "name", direction: "" }).error.payload).toEqual({ direction: "" })
    expect(fail("songs", { order: "bogus" })).toMatchObject({
      status: 400,
      error: {
        code: 100,
        message: "Invalid order-by field 'bogus'",
        message_key: "avalon.service.error.invalid_input_name",
        payload: { field: "bogus" }
      }
    })
    for (const order of ["count", "index", "__proto__", "constructor", "Name", "", "album_id "]) {
      expect(fail("songs", { order }).error).toMatchObject({ code: 100, payload: { field: order } })
    }
    for (const order of ["album", "length", "artist_id", "track", "year"]) {
      expect(fail("albums", { order }).error.code).toBe(100)
      expect(fail("genres", { order }).error.code).toBe(100)
    }
  })

  it("rejects an unknown order field even when nothing matches", () => {
    expect(fail("songs", { order: "bogus", query: "zzzzzz" }).error.code).toBe(100)
    expect(fail("artists", { order: "bogus", query: "" }).error.code).toBe(100)
  })

  it("rejects non-integer limit and offset with 101, negative ones with 102", () => {
    expect(fail("songs", { limit: "foo" })).toMatchObject({
      status: 400,
      error: {
        code: 101,
        message: "Invalid field value for integer field limit: 'foo'",
        message_key: "avalon.service.error.invalid_input_type",
        payload: { field: "limit", value: "foo" }
      }
    })
    for (const value of ["1.5", "1e3", "0x10", "", " ", "5 5"]) {
      expect(fail("songs", { limit: value }).error).toMatchObject({ code: 101, payload: { field: "limit", value } })
      expect(fail("songs", { offset: value }).error).toMatchObject({ code: 101, payload: { field: "offset", value } })
    }
    expect(fail("songs", { limit: "-1" })).toMatchObject({
      status: 400,
      error: {
        code: 102,
        message: "The value of limit may not be negative",
        message_key: "avalon.service.error.invalid_input_value",
        payload: { field: "limit", value: -1 }
      }
    })
    expect(fail("songs", { limit: "5", offset: "-10" }).error).toEqual({
      code: 102,
      message: "The value of offset may not be negative",
      message_key: "avalon.service.error.invalid_input_value",
      payload: { field: "offset", value: -10 }
    })
    expect(fail("songs", { limit: " -7 " }).error.payload).toEqual({ field: "limit", value: -7 })
  })

  it("renders a huge negative limit with all its digits", () => {
    const { body } = fail("songs", { limit: "-99999999999999999999" })
    expect(body).toBe(
      "{\"success\":null,\"errors\":[{\"code\":102,\"message\":\"The value of limit may not be negative\"," +
        "\"message_key\":\"avalon.service.error.invalid_input_value\"," +
        "\"payload\":{\"field\":\"limit\",\"value\":-99999999999999999999}}],\"warnings\":[]}"
    )
  })

  it("reports the first error in the documented order", () => {
    const everything = {
      album_id: "xyz",
      order: "bogus",
      direction: "sideways",
      limit: "foo",
      offset: "bar"
    }
    expect(fail("songs", everything).error.code).toBe(101)
    expect(fail("songs", everything).error.payload.field).toBe("album_id")
    // Not a song endpoint: album_id is not a parameter there.
    expect(fail("albums", everything).error.code).toBe(102)
    expect(fail("songs", { ...everything, album_id: homogenic }).error.payload).toEqual({ direction: "sideways" })
    expect(fail("songs", { order: "bogus", limit: "foo", offset: "bar" }).error.code).toBe(100)
    // direction is only checked with order.
    expect(fail("songs", { direction: "sideways", limit: "foo" }).error.payload).toEqual({ field: "limit", value: "foo" })
    expect(fail("songs", { limit: "foo", offset: "bar" }).error.payload.field).toBe("limit")
    expect(fail("songs", { limit: "-1", offset: "bar" }).error).toMatchObject({ code: 101, payload: { field: "offset" } })
    expect(fail("songs", { limit: "-1", offset: "-5" }).error).toMatchObject({ code: 102, payload: { field: "limit" } })
    expect(fail("songs", { offset: "bar" }).error).toMatchObject({ code: 101, payload: { field: "offset" } })
    expect(fail("songs", { order: "name", limit: "1", offset: "-1" }).error.payload).toEqual({
      field: "offset",
      value: -1
    })
  })
})
