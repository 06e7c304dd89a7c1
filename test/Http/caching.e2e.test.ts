import { join } from "node:path"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixturesCollection, runAvalon, startServer, type RunningServer } from "../support/avalon.js"
import { httpRequest, type RawResponse } from "../support/httpRequest.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

type Envelope = { success: Array<{ id: string; name: string }> | null; errors: Array<{ code: number }> }

const folder = makeTemporaryFolder()
afterAll(() => folder.remove())

const scan = (databaseUrl: string, args: ReadonlyArray<string> = []) => {
  const result = runAvalon(["scan", "-q", ...args, "-d", databaseUrl, fixturesCollection])
  expect(result.stderr).toBe("")
  expect(result.status).toBe(0)
}

const json = (response: RawResponse): Envelope => JSON.parse(response.body.toString("utf8")) as Envelope

const decoded = (response: RawResponse): Buffer =>
  response.headers["content-encoding"] === "br" ? brotliDecompressSync(response.body)
  : response.headers["content-encoding"] === "gzip" ? gunzipSync(response.body)
  : response.body

/** The targets of a Link header by relation. */
const linksOf = (response: RawResponse): Record<string, string> => {
  const links: Record<string, string> = {}
  for (const match of String(response.headers.link ?? "").matchAll(/<([^>]*)>; rel="(\w+)"/g)) links[match[2]!] = match[1]!
  return links
}

describe("conditional requests, paging headers and compression", () => {
  const databaseUrl = `sqlite:///${join(folder.path, "caching.sqlite")}`
  let server: RunningServer
  let scannedBefore: number
  let scannedAfter: number
  const get = (path: string, headers: Record<string, string> = {}, method = "GET") => httpRequest(server.url(path), headers, method)

  beforeAll(async () => {
    scannedBefore = Date.now()
    scan(databaseUrl)
    scannedAfter = Date.now()
    server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_RELOAD_INTERVAL: "0" })
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it("tags every list answer with a stable strong ETag, the scan's time, no-cache, Vary and the total", async () => {
    for (const path of ["/avalon/songs", "/avalon/albums?order=name&limit=2", "/avalon/artists?query=minor", "/avalon/genres"]) {
      const first = await get(path)
      const second = await get(path)
      expect(first.status).toBe(200)
      expect(first.headers.etag).toMatch(/^"[0-9a-z-]+"$/)
      expect(second.headers.etag).toBe(first.headers.etag)
      expect(second.body.equals(first.body)).toBe(true)
      expect(first.headers["cache-control"]).toBe("no-cache")
      expect(first.headers.vary).toBe("Accept-Encoding")
      expect(Number(first.headers["x-total-count"])).toBeGreaterThan(0)
      const lastModified = Date.parse(String(first.headers["last-modified"]))
      expect(lastModified).toBeGreaterThanOrEqual(Math.floor(scannedBefore / 1000) * 1000)
      expect(lastModified).toBeLessThanOrEqual(scannedAfter)
    }
    const tags = await Promise.all(["/avalon/songs", "/avalon/songs?limit=2", "/avalon/songs?limit=3", "/avalon/albums"].map(async (path) => (await get(path)).headers.etag))
    expect(new Set(tags).size).toBe(4)
  })

  it("gives errors, the heartbeat and the version no validators", async () => {
    for (const path of ["/avalon/songs?order=bogus", "/avalon/nothing", "/avalon/heartbeat", "/avalon/version"]) {
      const response = await get(path, { "accept-encoding": "gzip, br" })
      expect(response.headers.etag).toBeUndefined()
      expect(response.headers["last-modified"]).toBeUndefined()
      expect(response.headers["x-total-count"]).toBeUndefined()
      expect(response.headers["content-encoding"]).toBeUndefined()
    }
    const bad = await get("/avalon/songs?order=bogus", { "if-none-match": "*" })
    expect(bad.status).toBe(400)
  })

  it("answers 304 without a body to a matching If-None-Match, GET and HEAD alike", async () => {
    const path = "/avalon/songs?query=bjo"
    const fresh = await get(path)
    const tag = String(fresh.headers.etag)
    for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`, "*"]) {
      for (const method of ["GET", "HEAD"]) {
        const response = await get(path, { "if-none-match": ifNoneMatch }, method)
        expect(response.status).toBe(304)
        expect(response.body.length).toBe(0)
        expect(response.headers.etag).toBe(tag)
        expect(response.headers["last-modified"]).toBe(fresh.headers["last-modified"])
        expect(response.headers["cache-control"]).toBe("no-cache")
        expect(response.headers.vary).toBe("Accept-Encoding")
      }
    }
    const other = await get(path, { "if-none-match": "\"not-this-one\"" })
    expect(other.status).toBe(200)
    expect(other.body.equals(fresh.body)).toBe(true)
    const otherQuery = await get("/avalon/songs?query=bj", { "if-none-match": tag })
    expect(otherQuery.status).toBe(200)
  })

  it("answers 304 to If-Modified-Since at or after Last-Modified, only without If-None-Match", async () => {
    const fresh = await get("/avalon/albums")
    const lastModified = String(fresh.headers["last-modified"])
    const since = Date.parse(lastModified)
    expect((await get("/avalon/albums", { "if-modified-since": lastModified })).status).toBe(304)
    expect((await get("/avalon/albums", { "if-modified-since": new Date(since + 60_000).toUTCString() })).status).toBe(304)
    const notModified = await get("/avalon/albums", { "if-modified-since": lastModified }, "HEAD")
    expect(notModified.status).toBe(304)
    expect(notModified.headers.etag).toBe(fresh.headers.etag)
    expect((await get("/avalon/albums", { "if-modified-since": new Date(since - 1000).toUTCString() })).status).toBe(200)
    expect((await get("/avalon/albums", { "if-modified-since": "not a date" })).status).toBe(200)
    expect((await get("/avalon/albums", { "if-modified-since": lastModified, "if-none-match": "\"stale\"" })).status).toBe(200)
  })

  it("answers HEAD with the headers of GET and no body", async () => {
    for (const headers of [{}, { "accept-encoding": "br" }, { "accept-encoding": "gzip" }]) {
      const got = await get("/avalon/songs?order=year", headers)
      const head = await get("/avalon/songs?order=year", headers, "HEAD")
      expect(head.status).toBe(200)
      expect(head.body.length).toBe(0)
      expect(Number(head.headers["content-length"])).toBe(got.body.length)
      for (const name of ["etag", "last-modified", "x-total-count", "content-encoding", "content-type", "vary"]) expect(head.headers[name]).toBe(got.headers[name])
    }
  })

  it("counts the results before paging in X-Total-Count, with filters", async () => {
    const all = json(await get("/avalon/songs?artist=minor%20threat")).success!
    expect(all.length).toBeGreaterThanOrEqual(3)
    const page = await get("/avalon/songs?artist=minor%20threat&limit=1&offset=1")
    expect(json(page).success).toHaveLength(1)
    expect(page.headers["x-total-count"]).toBe(String(all.length))
    const none = await get("/avalon/songs?artist=nobody&limit=5")
    expect(none.headers["x-total-count"]).toBe("0")
    expect((await get("/avalon/songs")).headers["x-total-count"]).toBe("17")
  })

  it("links the next and previous pages, keeping the other parameters, and walks the whole list", async () => {
    const all = json(await get("/avalon/songs?order=name")).success!.map((song) => song.id)
    const walked: Array<string> = []
    let path: string | undefined = "/avalon/songs?order=name&limit=5"
    let pages = 0
    let last: RawResponse | undefined
    while (path !== undefined) {
      last = await get(path)
      walked.push(...json(last).success!.map((song) => song.id))
      const links = linksOf(last)
      if (pages === 0) expect(links.prev).toBeUndefined()
      else expect(links.prev).toBe(`/avalon/songs?order=name&limit=5&offset=${(pages - 1) * 5}`)
      path = links.next
      if (path !== undefined) expect(path).toBe(`/avalon/songs?order=name&limit=5&offset=${(pages + 1) * 5}`)
      pages++
    }
    expect(pages).toBe(4)
    expect(walked).toEqual(all)
    expect(Object.keys(linksOf(last!))).toEqual(["prev"])
    expect(linksOf(await get("/avalon/songs?limit=5&offset=40"))).toEqual({ prev: "/avalon/songs?limit=5&offset=12" })
    expect(linksOf(await get("/avalon/songs?artist=minor+threat&limit=1&offset=1"))).toEqual({
      next: "/avalon/songs?artist=minor+threat&limit=1&offset=2",
      prev: "/avalon/songs?artist=minor+threat&limit=1&offset=0"
    })
    expect((await get("/avalon/songs?order=name")).headers.link).toBeUndefined()
    expect((await get("/avalon/songs?limit=0")).headers.link).toBeUndefined()
    expect((await get("/avalon/songs?limit=17")).headers.link).toBeUndefined()
  })

  it("compresses with br or gzip as Accept-Encoding allows, to the very same JSON, with tags of their own", async () => {
    for (const path of ["/avalon/songs", "/avalon/songs?order=year&direction=desc", "/avalon/songs?limit=8"]) {
      const plain = await get(path)
      const tags = new Set([plain.headers.etag])
      for (const [acceptEncoding, coding] of [["gzip, deflate, br", "br"], ["gzip", "gzip"], ["br;q=0, gzip", "gzip"], ["gzip;q=0.5, br;q=0.9", "br"]] as const) {
        const response = await get(path, { "accept-encoding": acceptEncoding })
        expect(response.headers["content-encoding"]).toBe(coding)
        expect(response.headers.vary).toBe("Accept-Encoding")
        expect(Number(response.headers["content-length"])).toBe(response.body.length)
        expect(response.body.length).toBeLessThan(plain.body.length / 2)
        expect(decoded(response).equals(plain.body)).toBe(true)
        tags.add(response.headers.etag)
      }
      expect(tags.size).toBe(3)
    }
  })

  it("respects q=0, and answers If-None-Match with the tag of a coding the client still accepts", async () => {
    for (const acceptEncoding of ["gzip;q=0, br;q=0", "identity", "*;q=0", "deflate"]) {
      const response = await get("/avalon/songs", { "accept-encoding": acceptEncoding })
      expect(response.headers["content-encoding"]).toBeUndefined()
      expect(response.headers.vary).toBe("Accept-Encoding")
    }
    const br = await get("/avalon/songs", { "accept-encoding": "br" })
    const brTag = String(br.headers.etag)
    expect((await get("/avalon/songs", { "accept-encoding": "br", "if-none-match": brTag })).status).toBe(304)
    expect((await get("/avalon/songs", { "accept-encoding": "gzip", "if-none-match": brTag })).status).toBe(200)
    const plainTag = String((await get("/avalon/songs")).headers.etag)
    const upgraded = await get("/avalon/songs", { "accept-encoding": "br", "if-none-match": plainTag })
    expect(upgraded.status).toBe(304)
    expect(upgraded.headers.etag).toBe(plainTag)
  })

  it("leaves tiny bodies uncompressed", async () => {
    const tiny = await get("/avalon/genres?limit=1", { "accept-encoding": "gzip, br" })
    expect(tiny.body.length).toBeLessThan(1024)
    expect(tiny.headers["content-encoding"]).toBeUndefined()
    expect(tiny.headers.vary).toBe("Accept-Encoding")
    expect(tiny.headers.etag).toBe((await get("/avalon/genres?limit=1")).headers.etag)
  })
})

describe("CACHE_CONTROL", () => {
  const databaseUrl = `sqlite:///${join(folder.path, "cache-control.sqlite")}`
  beforeAll(() => scan(databaseUrl))

  it.each([
    ["public, max-age=60", "public, max-age=60"],
    ["", undefined]
  ])("%j", async (setting, header) => {
    const server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_CACHE_CONTROL: setting })
    try {
      const response = await httpRequest(server.url("/avalon/songs?limit=2"))
      expect(response.headers["cache-control"]).toBe(header)
      expect(response.headers.etag).toBeDefined()
      const tag = String(response.headers.etag)
      const notModified = await httpRequest(server.url("/avalon/songs?limit=2"), { "if-none-match": tag })
      expect(notModified.status).toBe(304)
      expect(notModified.headers["cache-control"]).toBe(header)
    } finally {
      await server.stop()
    }
  })
})

describe("paging links under REQUEST_PATH", () => {
  const databaseUrl = `sqlite:///${join(folder.path, "request-path.sqlite")}`
  beforeAll(() => scan(databaseUrl))

  it.each([["/api/music", "/api/music/songs"], ["/", "/songs"]])("%s", async (requestPath, songs) => {
    const server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_REQUEST_PATH: requestPath })
    try {
      const response = await httpRequest(server.url(`${songs}?order=name&limit=2&offset=2`))
      expect(response.headers.link).toBe(`<${songs}?order=name&limit=2&offset=4>; rel="next", <${songs}?order=name&limit=2&offset=0>; rel="prev"`)
    } finally {
      await server.stop()
    }
  })
})

describe("after a new scan", () => {
  it("changes every tag and Last-Modified once the catalog is reloaded", async () => {
    const databaseUrl = `sqlite:///${join(folder.path, "rescan.sqlite")}`
    scan(databaseUrl)
    const server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_RELOAD_INTERVAL: "1" })
    try {
      const before = await httpRequest(server.url("/avalon/songs"))
      const beforePage = await httpRequest(server.url("/avalon/albums?limit=1"))
      await new Promise((resolve) => setTimeout(resolve, 1100))
      scan(databaseUrl, ["--full"])
      const deadline = Date.now() + 15_000
      while (!/reloaded: scan generation 1 -> 2/.test(server.output())) {
        if (Date.now() > deadline) throw new Error(`no reload:\n${server.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const after = await httpRequest(server.url("/avalon/songs"), { "if-none-match": String(before.headers.etag) })
      expect(after.status).toBe(200)
      expect(after.body.equals(before.body)).toBe(true)
      expect(after.headers.etag).not.toBe(before.headers.etag)
      expect(Date.parse(String(after.headers["last-modified"]))).toBeGreaterThan(Date.parse(String(before.headers["last-modified"])))
      expect((await httpRequest(server.url("/avalon/albums?limit=1"))).headers.etag).not.toBe(beforePage.headers.etag)
      expect((await httpRequest(server.url("/avalon/songs"), { "if-modified-since": String(before.headers["last-modified"]) })).status).toBe(200)
      expect((await httpRequest(server.url("/avalon/songs"), { "if-none-match": String(after.headers.etag) })).status).toBe(304)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
