import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixturesCollection, runAvalon, startServer, type RunningServer } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

type Envelope = { success: Array<Record<string, unknown>> | null; errors: Array<Record<string, unknown>>; warnings: Array<string> }

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

const databases = [
  ["SQLite", `sqlite:///${join(folder.path, "serve.sqlite")}`],
  ["PostgreSQL", pg.url]
] as const

describe.each(databases)("avalon serve over %s, scanned from the fixtures", (_, databaseUrl) => {
  let server: RunningServer
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(server.url(path), init)
    return { response, text: await response.text() }
  }
  const getJson = async (path: string) => {
    const { response, text } = await get(path)
    return { status: response.status, type: response.headers.get("content-type"), body: JSON.parse(text) as Envelope }
  }

  beforeAll(async () => {
    const scan = runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection])
    expect(scan.stderr).toBe("")
    expect(scan.status).toBe(0)
    server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_STATSD_HOST: "" })
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it("answers the heartbeat once loaded, and logs one start-up line with the counts", async () => {
    const { response, text } = await get("/avalon/heartbeat")
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8")
    expect(text).toBe("OKOKOK")
    expect(server.output().indexOf("listening on")).toBeLessThan(server.output().indexOf(" started: "))
    expect(server.output()).toMatch(/avalon \d+\.\d+\.\d+ started: request path \/avalon, user \S+ \(uid \d+, gid \d+\), 17 songs, \d+ albums, 9 artists, \d+ genres \(generation 1\) loaded in [\d.]+ s from .*memory \d+ MB RSS/)
  })

  it("lists every song with the compat fields", async () => {
    const { body, status, type } = await getJson("/avalon/songs")
    expect(status).toBe(200)
    expect(type).toBe("application/json; charset=utf-8")
    expect(body.errors).toEqual([])
    expect(body.warnings).toEqual([])
    expect(body.success).toHaveLength(17)
    for (const song of body.success!) {
      expect(Object.keys(song)).toEqual(["id", "name", "length", "track", "year", "album", "album_id", "artist", "artist_id", "genre", "genre_id"])
      expect(song.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
  })

  it("finds Björk by an unaccented prefix, and her album by its known id", async () => {
    const { body } = await getJson("/avalon/songs?query=bjo")
    expect(body.success!.map((song) => song.artist)).toEqual(["Björk"])
    expect(body.success![0]!.album_id).toBe("32792eb5-03ff-5837-9869-d77ac9b5c99f")
    const byId = await getJson("/avalon/songs?album_id=32792EB503FF58379869D77AC9B5C99F")
    expect(byId.body.success!.map((song) => song.id)).toEqual(body.success!.map((song) => song.id))
  })

  it("merges case variants of one artist under the most frequent spelling", async () => {
    const { body } = await getJson("/avalon/artists?query=minor")
    expect(body.success).toEqual([{ id: "debcc564-211b-559c-b810-e72598bdaf47", name: "Minor Threat" }])
    const songs = await getJson("/avalon/songs?artist=MINOR%20THREAT")
    expect(songs.body.success!.length).toBeGreaterThanOrEqual(3)
  })

  it("orders, pages and validates like the original", async () => {
    const all = (await getJson("/avalon/albums?order=name")).body.success!
    const page = (await getJson("/avalon/albums?order=name&limit=2&offset=1")).body.success!
    expect(page).toEqual(all.slice(1, 3))
    const desc = (await getJson("/avalon/albums?order=name&direction=desc")).body.success!
    expect(desc).toEqual([...all].reverse())
    const bad = await getJson("/avalon/songs?order=bogus")
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual({
      success: null,
      errors: [{ code: 100, message: "Invalid order-by field 'bogus'", message_key: "avalon.service.error.invalid_input_name", payload: { field: "bogus" } }],
      warnings: []
    })
    const offset = await getJson("/avalon/genres?offset=foo&offset=1")
    expect(offset.body.errors[0]).toEqual({
      code: 101,
      message: "Invalid field value for integer field offset: 'foo'",
      message_key: "avalon.service.error.invalid_input_type",
      payload: { field: "offset", value: "foo" }
    })
  })

  it("answers HEAD without a body, other methods with 405, unknown paths with 404", async () => {
    const head = await get("/avalon/genres", { method: "HEAD" })
    expect(head.response.status).toBe(200)
    expect(head.text).toBe("")
    expect(Number(head.response.headers.get("content-length"))).toBeGreaterThan(50)
    const post = await get("/avalon/genres", { method: "POST" })
    expect(post.response.status).toBe(405)
    expect(JSON.parse(post.text).errors[0].code).toBe(5)
    const missing = await get("/avalon/tracks")
    expect(missing.response.status).toBe(404)
    expect(JSON.parse(missing.text).errors[0]).toMatchObject({ code: 4, message_key: "avalon.service.error.not_found" })
    expect((await get("/songs")).response.status).toBe(404)
  })

  it("answers its version as text", async () => {
    const { response, text } = await get("/avalon/version")
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8")
    expect(text).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

describe("REQUEST_PATH", () => {
  const databaseUrl = `sqlite:///${join(folder.path, "paths.sqlite")}`
  beforeAll(() => {
    expect(runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection]).status).toBe(0)
  })

  it.each([
    ["/", "/heartbeat", "/avalon/heartbeat"],
    ["/api/music", "/api/music/heartbeat", "/api/heartbeat"]
  ])("%s serves at %s", async (requestPath, served, missing) => {
    const server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_REQUEST_PATH: requestPath, AVALON_STATSD_HOST: "" })
    try {
      expect(await (await fetch(server.url(served))).text()).toBe("OKOKOK")
      expect((await fetch(server.url(missing))).status).toBe(404)
    } finally {
      await server.stop()
    }
  })
})

describe("start-up failure", () => {
  it("answers NONONO with 503 while the database cannot be loaded, and keeps retrying", async () => {
    const server = await startServer({ AVALON_DATABASE_URL: "postgresql://avalon:secret@127.0.0.1:1/music", AVALON_STATSD_HOST: "" })
    try {
      const response = await fetch(server.url("/avalon/heartbeat"))
      expect(response.status).toBe(503)
      expect(await response.text()).toBe("NONONO")
      const songs = await fetch(server.url("/avalon/songs"))
      expect(songs.status).toBe(503)
      expect(((await songs.json()) as Envelope).errors[0]).toMatchObject({ code: 2, message_key: "avalon.service.error.unavailable" })
      expect(server.output()).toContain("loading the collection failed")
      expect(server.output()).not.toContain("secret")
    } finally {
      await server.stop()
    }
  })
})
