import { Agent, request } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Layer } from "effect"
import { AppConfig } from "../../src/Config/AppConfig.js"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings } from "../../src/Config/loadSettings.js"
import { Database } from "../../src/Database/Database.js"
import { collectionColumns, type CollectionRows } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { HttpAddress } from "../../src/Http/HttpLive.js"
import { ServerLive } from "../../src/Http/serve.js"
import { ErrorReporter } from "../../src/Observability/ErrorReporter.js"
import { MetricsNoop } from "../../src/Observability/Statsd.js"

const names = ["Björk", "Sigur Rós", "This Is Giving Up", "¡Uno!", "AC/DC", "日本語", "minor threat", "Minor Threat", ""]
const rows: CollectionRows = {
  albums: names.map((name) => ({ id: albumId(name), name })),
  artists: names.map((name) => ({ id: artistId(name), name })),
  genres: names.map((name) => ({ id: genreId(name), name })),
  songs: Array.from({ length: 200 }, (_, i) => ({
    id: songId(`/music/${i}.flac`),
    name: `${names[i % names.length]} ${i}`,
    length: i * 7,
    track: i % 13,
    year: 1990 + (i % 30),
    album_id: albumId(names[i % names.length]!),
    artist_id: artistId(names[(i * 3) % names.length]!),
    genre_id: genreId(names[(i * 5) % names.length]!)
  }))
}

const parameterNames = ["query", "order", "direction", "limit", "offset", "album", "artist", "genre", "album_id", "artist_id", "genre_id", "since"]
const hostileValues = [
  "", " ", "%", "%zz", "%C3", "%C3%28", "%FF%FE", "%00", "\u0000", "-0", "+0", "0x10", "1e3", "1.5", " 12 ", "٣", "１２",
  "99999999999999999999", "-99999999999999999999", "NaN", "Infinity", "asc", "desc", "DESC", "name", "id", "year", "count", "index",
  "__proto__", "constructor", "toString", "32792eb5-03ff-5837-9869-d77ac9b5c99f", "{32792eb503ff58379869d77ac9b5c99f}", "urn:uuid:x",
  "a".repeat(10_000), "🎵", "\uD800", "'; DROP TABLE tracks; --"
]

// Leaves "%" escapes as they are (valid or not); escapes only what cannot travel in a request line.
const encodeLoosely = (text: string) =>
  Array.from(text, (char) =>
    /^[\x21-\x7e]$/.test(char) && !"&#+".includes(char)
      ? char
      : [...Buffer.from(char, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")).join("")

const parameter = fc.tuple(
  fc.oneof(fc.constantFrom(...parameterNames), fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "limit[]", "%00", "")),
  fc.oneof(fc.constantFrom(...hostileValues), fc.string({ maxLength: 40 }), fc.fullUnicodeString({ maxLength: 20 }), fc.bigInt().map(String), fc.integer().map(String))
)

const queryString = fc.oneof(
  { weight: 9, arbitrary: fc.array(parameter, { maxLength: 8 }).map((pairs) => pairs.map(([name, value]) => `${encodeLoosely(name)}=${encodeLoosely(value)}`).join("&")) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 1900 }).map((count) => Array.from({ length: count }, (_, i) => `${"xyz"[i % 3]}=${i % 10}`).join("&") + "&limit=3&order=name") },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map(encodeLoosely) }
)

const endpoint = fc.constantFrom("songs", "albums", "artists", "genres", "changes")

const settings = Either.getOrThrow(loadSettings({ defaultsText: defaultConfigText, env: {}, flags: { PORT: 0, STATSD_HOST: "" } }))
const unexpected: Array<unknown> = []
const server = ServerLive.pipe(
  Layer.provide(Layer.mergeAll(
    Layer.succeed(Database, Database.of({
      target: { dialect: "sqlite", filename: ":memory:" },
      readCollection: Effect.succeed({
        columns: collectionColumns(rows),
        generation: 1,
        scannedAt: new Date(0),
        changeLog: { oldest: 0, rows: rows.songs.slice(0, 20).map((song) => ({ generation: 1, entity: "songs" as const, id: song.id, change: "added" as const })) }
      }),
      readGeneration: Effect.succeed(1),
      readFileStates: Effect.die("unused"),
      readFileStamps: Effect.die("unused"),
      replaceCollection: () => Effect.die("unused")
    })),
    MetricsNoop,
    Layer.succeed(ErrorReporter, ErrorReporter.make({ capture: (error) => void unexpected.push(error), flush: () => Promise.resolve() }))
  )),
  Layer.provide(Layer.succeed(AppConfig, settings))
)

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

const get = (port: number, path: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, agent, method: "GET" }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
    })
    outgoing.on("error", reject)
    outgoing.end()
  })

describe("hostile query strings", () => {
  it.live("never produce a 500 or a crash: 10,000 generated requests through the real HTTP server", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      const samples = fc.sample(fc.tuple(endpoint, queryString), { numRuns: 10_000, seed: 20261129 })
      const statuses = new Map<number, number>()
      const batch = 16
      for (let start = 0; start < samples.length; start += batch) {
        const answers = yield* Effect.promise(() =>
          Promise.all(samples.slice(start, start + batch).map(([name, query]) => get(port, `/avalon/${name}?${query}`).then((answer) => ({ answer, name, query })))))
        for (const { answer, name, query } of answers) {
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (![200, 400, 410, 414, 431].includes(answer.status)) throw new Error(`${answer.status} for /avalon/${name}?${query.slice(0, 300)}: ${answer.body}`)
          const body = JSON.parse(answer.body) as { success: unknown; errors: Array<{ code: number }>; warnings: Array<string> }
          expect(Object.keys(body)).toEqual(["success", "errors", "warnings"])
          if (answer.status === 200) expect(name === "changes" ? Object.keys(body.success as object) : Array.isArray(body.success)).toEqual(name === "changes" ? ["generation", "since", "songs", "albums", "artists", "genres"] : true)
          else expect(body.errors).toHaveLength(1)
        }
      }
      agent.destroy()
      expect(unexpected).toEqual([])
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(10_000)
      expect(statuses.get(200)).toBeGreaterThan(1000)
      expect(statuses.get(400)).toBeGreaterThan(1000)
      console.info(`hostile queries: ${[...statuses].map(([status, count]) => `${count}× ${status}`).join(", ")}`)
    }).pipe(Effect.provide(server)), 120_000)
})
