import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"
import { afterEach, describe, expect, it, vi } from "vitest"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { queryChanges } from "../../src/Catalog/queryChanges.js"
import { collectionColumns } from "../../src/Domain/Collection.js"
import { CatalogCell } from "../../src/Http/CatalogStore.js"
import { makeRequestHandler, type RequestHandlerOptions } from "../../src/Http/makeRequestHandler.js"
import { rows } from "../Catalog/fixtures.js"
import { httpRequest } from "../support/httpRequest.js"

// Counts the queries actually run: a remembered answer must not run one.
vi.mock("../../src/Catalog/queryCatalog.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/Catalog/queryCatalog.js")>()
  return { ...actual, queryCatalog: vi.fn(actual.queryCatalog) }
})
const queries = vi.mocked(queryCatalog)
vi.mock("../../src/Catalog/queryChanges.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/Catalog/queryChanges.js")>()
  return { ...actual, queryChanges: vi.fn(actual.queryChanges) }
})
const changeQueries = vi.mocked(queryChanges)

const servers: Array<Server> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
  queries.mockClear()
  changeQueries.mockClear()
})

const serve = async (responseCacheBytes: number, extra: Pick<RequestHandlerOptions, "traced"> = {}) => {
  const timings: Array<string> = []
  const cell = new CatalogCell()
  cell.swap(buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) }))
  const handler = makeRequestHandler({
    basePath: "/avalon",
    version: "test",
    responseCacheBytes,
    cell,
    metrics: { timing: (name) => void timings.push(name), increment: () => {} },
    onUnexpected: (error) => {
      throw error
    },
    ...extra
  })
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    cell,
    timings,
    get: (path: string, headers: Record<string, string> = {}, method = "GET") => httpRequest(`http://127.0.0.1:${port}/avalon/${path}`, headers, method)
  }
}

describe("remembered list answers", () => {
  it("runs a repeated query once per catalog and answers the same status, headers and bytes", async () => {
    const server = await serve(1024 * 1024)
    const first = await server.get("songs?order=name&limit=2&offset=1")
    const again = await server.get("songs?order=name&limit=2&offset=1")
    expect(queries).toHaveBeenCalledTimes(1)
    expect(again.status).toBe(200)
    expect(again.body.equals(first.body)).toBe(true)
    const { date: _first, ...firstHeaders } = first.headers
    const { date: _again, ...againHeaders } = again.headers
    expect(againHeaders).toEqual(firstHeaders)
    expect(first.headers.link).toContain("rel=\"next\"")

    const head = await server.get("songs?order=name&limit=2&offset=1", {}, "HEAD")
    expect(head.body.length).toBe(0)
    expect(head.headers["content-length"]).toBe(first.headers["content-length"])
    expect((await server.get("songs?order=name&limit=2&offset=1", { "if-none-match": String(first.headers.etag) })).status).toBe(304)
    expect((await server.get("songs?order=name&limit=2&offset=1", { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" })).status).toBe(304)
    expect(queries).toHaveBeenCalledTimes(1)

    server.cell.swap(buildCatalog(collectionColumns(rows), { generation: 2, loadedAt: new Date(1000) }))
    const reloaded = await server.get("songs?order=name&limit=2&offset=1")
    expect(queries).toHaveBeenCalledTimes(2)
    expect(reloaded.body.equals(first.body)).toBe(true)
    expect(reloaded.headers.etag).not.toBe(first.headers.etag)
  })

  it("remembers each coding apart, compressed once, and never an error", async () => {
    const server = await serve(1024 * 1024)
    const plain = await server.get("songs?order=name")
    const zipped = await server.get("songs?order=name", { "accept-encoding": "gzip" })
    const zippedAgain = await server.get("songs?order=name", { "accept-encoding": "gzip" })
    expect(queries).toHaveBeenCalledTimes(2)
    expect(zipped.headers["content-encoding"]).toBe("gzip")
    expect(zippedAgain.body.equals(zipped.body)).toBe(true)
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true)
    expect(zipped.headers.etag).not.toBe(plain.headers.etag)
    // Either tag the client may hold is current for a client that accepts gzip; the identity tag for one that does not.
    for (const held of [plain, zipped]) {
      const revalidated = await server.get("songs?order=name", { "accept-encoding": "gzip", "if-none-match": `W/${String(held.headers.etag)}` })
      expect(revalidated.status).toBe(304)
      expect(revalidated.headers.etag).toBe(held.headers.etag)
    }
    expect((await server.get("songs?order=name", { "if-none-match": String(zipped.headers.etag) })).status).toBe(200)
    expect((await server.get("songs?order=name", { "if-none-match": "*" })).status).toBe(304)
    expect(queries).toHaveBeenCalledTimes(2)

    for (let i = 0; i < 3; i++) expect((await server.get("songs?limit=x")).status).toBe(400)
    expect(queries).toHaveBeenCalledTimes(5)
  })

  it("compresses a query's answer without assembling the full songs list, which is made on first use", async () => {
    const server = await serve(1024 * 1024)
    const state = server.cell.current
    if (state._tag !== "Ready") throw new Error("the catalog is not ready")
    const fullList = vi.spyOn(state.catalog.songs, "body", "get")
    const zipped = await server.get("songs?order=year", { "accept-encoding": "gzip" })
    expect(zipped.headers["content-encoding"]).toBe("gzip")
    expect(fullList).not.toHaveBeenCalled()
    const all = await server.get("songs", { "accept-encoding": "gzip" })
    expect(fullList).toHaveBeenCalled()
    expect(gunzipSync(all.body).length).toBe(state.catalog.songs.body.length)
  })

  it("remembers nothing with a budget of 0", async () => {
    const server = await serve(0)
    for (let i = 0; i < 3; i++) expect((await server.get("albums?order=name&limit=1")).status).toBe(200)
    expect(queries).toHaveBeenCalledTimes(3)
  })

  it("serves a remembered answer by its raw URL, still as the route and method demand", async () => {
    const server = await serve(1024 * 1024)
    const first = await server.get("albums?order=name&limit=1")
    expect((await server.get("albums?order=name&limit=1")).body.equals(first.body)).toBe(true)
    expect(queries).toHaveBeenCalledTimes(1)
    expect(server.timings).toEqual(["request.albums", "request.albums"])

    const posted = await server.get("albums?order=name&limit=1", {}, "POST")
    expect(posted.status).toBe(405)
    expect(posted.headers.allow).toBe("GET, HEAD")
    const withBody = await server.get("albums?order=name&limit=1", { "transfer-encoding": "chunked" })
    expect(withBody.status).toBe(413)
    expect((await server.get("albums?order=name&limit=1", { "if-none-match": String(first.headers.etag) })).status).toBe(304)
    const otherTag = await server.get("albums?order=name&limit=1", { "if-none-match": "\"other\"" })
    expect(otherTag.status).toBe(200)
    expect(otherTag.body.equals(first.body)).toBe(true)
    expect((await server.get("albums?order=name&limit=1", { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" })).status).toBe(304)
    expect((await server.get("albums?order=name&limit=1", { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" }, "HEAD")).status).toBe(304)

    // Another spelling of the same route is its own key, answered alike.
    const escaped = await server.get("%61lbums?order=name&limit=1")
    expect(escaped.body.equals(first.body)).toBe(true)
    expect(escaped.headers.etag).toBe(first.headers.etag)
    expect(queries).toHaveBeenCalledTimes(2)
    expect((await server.get("%zzalbums?order=name&limit=1")).status).toBe(404)

    server.cell.swap(buildCatalog(collectionColumns(rows), { generation: 2, loadedAt: new Date(1000) }))
    const reloaded = await server.get("albums?order=name&limit=1")
    expect(reloaded.headers.etag).not.toBe(first.headers.etag)
    expect(queries).toHaveBeenCalledTimes(3)
  })

  it("traces a request answered from memory too", async () => {
    const traced: Array<string> = []
    const server = await serve(1024 * 1024, {
      traced: (route, _method, url, handle) => {
        traced.push(`${route} ${url}`)
        handle()
      }
    })
    for (let i = 0; i < 2; i++) expect((await server.get("genres?limit=1")).status).toBe(200)
    expect(queries).toHaveBeenCalledTimes(1)
    expect(traced).toEqual(["genres /avalon/genres?limit=1", "genres /avalon/genres?limit=1"])
  })
})

describe("remembered changes answers", () => {
  it("answers a repeated changes?since once per catalog, never an error, not without a budget", async () => {
    const server = await serve(1024 * 1024)
    const first = await server.get("changes?since=1")
    expect(first.status).toBe(200)
    expect(first.headers["x-avalon-generation"]).toBe("1")
    const again = await server.get("changes?since=1")
    expect(again.body.equals(first.body)).toBe(true)
    const { date: _first, ...firstHeaders } = first.headers
    const { date: _again, ...againHeaders } = again.headers
    expect(againHeaders).toEqual(firstHeaders)
    expect(changeQueries).toHaveBeenCalledTimes(1)
    expect(server.timings).toEqual(["request.changes", "request.changes"])
    expect((await server.get("changes?since=1", {}, "HEAD")).body.length).toBe(0)
    expect((await server.get("changes?since=1", {}, "POST")).status).toBe(405)
    expect(changeQueries).toHaveBeenCalledTimes(1)

    for (let i = 0; i < 2; i++) expect((await server.get("changes?since=x")).status).toBe(400)
    expect(changeQueries).toHaveBeenCalledTimes(3)

    server.cell.swap(buildCatalog(collectionColumns(rows), { generation: 2, loadedAt: new Date(1000) }))
    const reloaded = await server.get("changes?since=1")
    expect(reloaded.status).toBe(410)
    expect(changeQueries).toHaveBeenCalledTimes(4)

    const unremembered = await serve(0)
    for (let i = 0; i < 2; i++) expect((await unremembered.get("changes?since=1")).status).toBe(200)
    expect(changeQueries).toHaveBeenCalledTimes(6)
  })
})
