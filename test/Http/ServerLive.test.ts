import { createSocket } from "node:dgram"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import { type AddressInfo, connect } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger } from "effect"
import { AppConfig } from "../../src/Config/AppConfig.js"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings } from "../../src/Config/loadSettings.js"
import type { Settings } from "../../src/Config/Settings.js"
import { Database } from "../../src/Database/Database.js"
import { DatabaseError } from "../../src/Database/DatabaseError.js"
import { collectionColumns, type CollectionRows } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { CatalogCell, CatalogStore } from "../../src/Http/CatalogStore.js"
import { HttpAddress, HttpLive } from "../../src/Http/HttpLive.js"
import { keptNextTick } from "../../src/Http/keepNextTickMapsAlive.js"
import { ServerLive } from "../../src/Http/serve.js"
import { ErrorReporter } from "../../src/Observability/ErrorReporter.js"
import { Metrics, MetricsLive, MetricsNoop } from "../../src/Observability/Statsd.js"
import { TracingLive } from "../../src/Observability/Tracing.js"
import { httpRecorder } from "../Observability/fixtures.js"
import { httpRequest } from "../support/httpRequest.js"

const rows: CollectionRows = {
  albums: [{ id: albumId("¡Uno!"), name: "¡Uno!" }, { id: albumId("This Is Giving Up"), name: "This Is Giving Up" }],
  artists: [{ id: artistId("Green Day"), name: "Green Day" }, { id: artistId("Björk"), name: "Björk" }],
  genres: [{ id: genreId("Punk Ska"), name: "Punk Ska" }],
  songs: [
    { id: songId("/music/a.ogg"), name: "Nuclear Family", length: 182, track: 1, year: 2012, album_id: albumId("¡Uno!"), artist_id: artistId("Green Day"), genre_id: genreId("Punk Ska") },
    { id: songId("/music/b.ogg"), name: "Jóga", length: 305, track: 2, year: 1997, album_id: albumId("This Is Giving Up"), artist_id: artistId("Björk"), genre_id: genreId("Punk Ska") }
  ]
}

/** Enough songs for bodies that are compressed on the thread pool (over 32 KiB). */
const manyRows: CollectionRows = {
  ...rows,
  songs: Array.from({ length: 600 }, (_, i) => ({
    id: songId(`/music/many/${i}.ogg`),
    name: `Song number ${i} of many`,
    length: 100 + (i % 200),
    track: i % 12,
    year: 1990 + (i % 30),
    album_id: albumId(i % 2 === 0 ? "¡Uno!" : "This Is Giving Up"),
    artist_id: artistId(i % 3 === 0 ? "Green Day" : "Björk"),
    genre_id: genreId("Punk Ska")
  }))
}

const settings = (overrides: Partial<Settings> = {}): Settings =>
  Either.getOrThrow(loadSettings({ defaultsText: defaultConfigText, env: {}, flags: { PORT: 0, STATSD_HOST: "", ...overrides } }))

/** A read that dies rather than fails: a bug, or a broken install (a driver that cannot be loaded). */
class ReadDies {
  constructor(readonly defect: Error) {}
}

const inMemoryDatabase = (collection: CollectionRows | DatabaseError | ReadDies) =>
  Layer.succeed(Database, Database.of({
    target: { dialect: "sqlite", filename: ":memory:" },
    readCollection: collection instanceof DatabaseError ? Effect.fail(collection)
      : collection instanceof ReadDies ? Effect.die(collection.defect)
      : Effect.succeed({ columns: collectionColumns(collection), generation: 7, scannedAt: new Date(0) }),
    readGeneration: Effect.succeed(7),
    readFileStates: Effect.die("the server never reads scan state"),
    readFileStamps: Effect.die("the server never reads scan state"),
    replaceCollection: () => Effect.die("the server never writes")
  }))

const captured: Array<unknown> = []
const recordingReporter = Layer.succeed(ErrorReporter, ErrorReporter.make({ capture: (error) => void captured.push(error), flush: () => Promise.resolve() }))

const rawRequest = (port: number, request: string) =>
  Effect.async<string>((resume) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request))
    let answer = ""
    socket.on("data", (chunk) => (answer += chunk.toString()))
    socket.on("close", () => resume(Effect.succeed(answer)))
    socket.on("error", () => resume(Effect.succeed(answer)))
    socket.setTimeout(5000, () => socket.destroy())
  })

const fetchText = (port: number, path: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    return { status: response.status, text: await response.text() }
  })

describe("the real Catalog and HTTP layers over an in-memory Database layer", () => {
  const server = (collection: CollectionRows | DatabaseError | ReadDies, metrics: Layer.Layer<Metrics, never, AppConfig> = MetricsNoop, config = settings()) =>
    ServerLive.pipe(
      Layer.provide(Layer.mergeAll(inMemoryDatabase(collection), metrics, recordingReporter)),
      Layer.provide(Layer.succeed(AppConfig, config))
    )

  it.live("serves the rows it was given", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      expect(yield* fetchText(port, "/avalon/heartbeat")).toEqual({ status: 200, text: "OKOKOK" })
      const albums = yield* fetchText(port, "/avalon/albums?query=giving%20u")
      expect(JSON.parse(albums.text).success).toEqual([{ id: albumId("This Is Giving Up"), name: "This Is Giving Up" }])
      const songs = yield* fetchText(port, "/avalon/songs?query=bjork&order=year&direction=desc")
      expect(JSON.parse(songs.text).success.map((song: { name: string }) => song.name)).toEqual(["Jóga"])
      // See keepNextTickMapsAlive: the server keeps one nextTick entry from its start.
      expect(keptNextTick()).toBeDefined()
    }).pipe(Effect.provide(server(rows))))

  it.live("compresses a large full list once, in the background, serving it uncompressed until then", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      const url = `http://127.0.0.1:${port}/avalon/songs`
      const plain = yield* Effect.promise(() => httpRequest(url))
      expect(plain.body.length).toBeGreaterThan(100_000)
      const first = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "br" }))
      expect(first.headers["content-encoding"]).toBeUndefined()
      expect(first.headers.vary).toBe("Accept-Encoding")
      expect(first.headers.etag).toBe(plain.headers.etag)
      expect(first.body.equals(plain.body)).toBe(true)
      let compressed = first
      for (let attempt = 0; attempt < 100 && compressed.headers["content-encoding"] === undefined; attempt++) {
        yield* Effect.sleep("20 millis")
        compressed = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "br" }))
      }
      expect(compressed.headers["content-encoding"]).toBe("br")
      expect(compressed.headers.etag).not.toBe(plain.headers.etag)
      expect(brotliDecompressSync(compressed.body).equals(plain.body)).toBe(true)
      const again = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "br" }))
      expect(again.body.equals(compressed.body)).toBe(true)
    }).pipe(Effect.provide(server(manyRows))))

  it.live("compresses large dynamic answers on the thread pool, GET and HEAD alike", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      const url = `http://127.0.0.1:${port}/avalon/songs?order=year&direction=desc`
      const plain = yield* Effect.promise(() => httpRequest(url))
      expect(plain.body.length).toBeGreaterThan(100_000)
      const gzip = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "gzip" }))
      expect(gzip.headers["content-encoding"]).toBe("gzip")
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true)
      const head = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "gzip" }, "HEAD"))
      expect(Number(head.headers["content-length"])).toBe(gzip.body.length)
      expect(head.headers.etag).toBe(gzip.headers.etag)
      const br = yield* Effect.promise(() => httpRequest(url, { "accept-encoding": "br" }))
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true)
      expect(new Set([plain.headers.etag, gzip.headers.etag, br.headers.etag]).size).toBe(3)
    }).pipe(Effect.provide(server(manyRows))))

  it.live("answers NONONO and the unavailable envelope when loading fails", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      expect(yield* fetchText(port, "/avalon/heartbeat")).toEqual({ status: 503, text: "NONONO" })
      const songs = yield* fetchText(port, "/avalon/songs")
      expect(songs.status).toBe(503)
      expect(JSON.parse(songs.text).errors[0].code).toBe(2)
    }).pipe(Effect.provide(server(new DatabaseError({ message: "database down" })))))

  it.live("answers NONONO, and logs why, when loading dies instead of failing", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => void logged.push(`${logLevel.label} ${String(message)}`))
      yield* Effect.gen(function* () {
        const { port } = yield* HttpAddress
        // A request that waited for the first load would never be answered.
        expect(yield* Effect.timeout(fetchText(port, "/avalon/heartbeat"), "5 seconds")).toEqual({ status: 503, text: "NONONO" })
        expect((yield* fetchText(port, "/avalon/songs")).status).toBe(503)
      }).pipe(
        Effect.provide(server(new ReadDies(new Error("Cannot find module 'better-sqlite3'")))),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(logged.some((line) => line.startsWith("ERROR loading the collection failed") && line.includes("Cannot find module 'better-sqlite3'"))).toBe(true)
    }))

  it.live("times each endpoint in statsd under <prefix>.request.<endpoint>", () =>
    Effect.gen(function* () {
      const socket = createSocket("udp4")
      const packets: Array<string> = []
      socket.on("message", (message) => packets.push(message.toString()))
      yield* Effect.promise(() => new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve)))
      const statsdPort = (socket.address() as AddressInfo).port
      yield* Effect.gen(function* () {
        const { port } = yield* HttpAddress
        for (const endpoint of ["songs", "albums", "artists", "genres"]) yield* fetchText(port, `/avalon/${endpoint}`)
        yield* fetchText(port, "/avalon/heartbeat")
        yield* Effect.sleep("200 millis")
      }).pipe(Effect.provide(server(rows, MetricsLive, settings({ STATSD_HOST: "127.0.0.1", STATSD_PORT: statsdPort, STATSD_PREFIX: "avalon.test" }))))
      socket.close()
      const names = packets.flatMap((packet) => packet.split("\n")).map((line) => line.replace(/:[\d.]+\|ms$/, ""))
      expect(names.sort()).toEqual(["avalon.test.request.albums", "avalon.test.request.artists", "avalon.test.request.genres", "avalon.test.request.songs"])
    }))

  it.live("bounds URLs, headers and bodies, answering in the envelope", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      const longUrl = yield* fetchText(port, `/avalon/songs?query=${"a".repeat(9000)}`)
      expect(longUrl.status).toBe(414)
      expect(JSON.parse(longUrl.text).errors[0]).toMatchObject({ code: 6, message_key: "avalon.service.error.uri_too_long" })
      const raw = yield* rawRequest(port, `GET /avalon/songs HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc`)
      expect(raw).toMatch(/^HTTP\/1\.1 413 /)
      expect(raw).toContain('"message_key":"avalon.service.error.body_not_allowed"')
      const hugeHeaders = yield* rawRequest(port, `GET /avalon/songs HTTP/1.1\r\nhost: x\r\nx-big: ${"b".repeat(20_000)}\r\n\r\n`)
      expect(hugeHeaders).toMatch(/^HTTP\/1\.1 431 /)
      expect(hugeHeaders).toContain('"code":7')
      const garbage = yield* rawRequest(port, "NOT HTTP AT ALL\r\n\r\n")
      expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
      expect((yield* fetchText(port, "/avalon/heartbeat")).text).toBe("OKOKOK")
    }).pipe(Effect.provide(server(rows))))

  it.scopedLive("opens one span per request when tracing is configured", () =>
    Effect.gen(function* () {
      const collector = yield* httpRecorder
      const config = settings({ OTLP_TRACES_URL: `http://127.0.0.1:${collector.port}/v1/traces` })
      yield* Effect.gen(function* () {
        const { port } = yield* HttpAddress
        yield* fetchText(port, "/avalon/songs?query=jo")
      }).pipe(
        Effect.provide(ServerLive.pipe(
          Layer.provide(Layer.mergeAll(inMemoryDatabase(rows), MetricsNoop, recordingReporter)),
          Layer.provide(Layer.succeed(AppConfig, config))
        )),
        Effect.provide(TracingLive.pipe(Layer.provide(Layer.succeed(AppConfig, config))))
      )
      const [request] = yield* collector.waitForRequests(1)
      const spans = (JSON.parse(request!.body.toString("utf8")) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }> })
        .resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
      const span = spans.find((candidate) => candidate.name === "GET songs")
      expect(span?.attributes.find((attribute) => attribute.key === "http.target")?.value.stringValue).toBe("/avalon/songs?query=jo")
    }))

  it.live("answers an unexpected failure with code 1 / 500, reports it, and keeps serving", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      captured.length = 0
      const failing = yield* fetchText(port, "/avalon/songs")
      expect(failing.status).toBe(500)
      expect(JSON.parse(failing.text)).toEqual({
        success: null,
        errors: [{ code: 1, message: "An unknown error occurred", message_key: "avalon.service.error.unknown", payload: {} }],
        warnings: []
      })
      expect(captured).toHaveLength(1)
      expect(String(captured[0])).toContain("catalog exploded")
      expect((yield* fetchText(port, "/avalon/heartbeat")).text).toBe("OKOKOK")
      expect(JSON.parse((yield* fetchText(port, "/avalon/songs")).text).success).toHaveLength(2)
    }).pipe(
      Effect.provide(
        HttpLive.pipe(
          Layer.provide(Layer.succeed(CatalogStore, explodingOnce())),
          Layer.provide(Layer.mergeAll(MetricsNoop, recordingReporter)),
          Layer.provide(Layer.succeed(AppConfig, settings()))
        )
      )
    ))
})

/** A catalog whose song table cannot be read the first time: the first songs request meets a bug. */
const explodingOnce = () => {
  const cell = new CatalogCell()
  const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
  let exploded = false
  cell.swap({
    ...catalog,
    get songs() {
      if (exploded) return catalog.songs
      exploded = true
      throw new Error("catalog exploded")
    }
  })
  return cell
}
