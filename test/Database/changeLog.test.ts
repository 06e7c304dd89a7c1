import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Migrator, SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { Database } from "../../src/Database/Database.js"
import { databaseLayer } from "../../src/Database/DatabaseLive.js"
import { parseDatabaseUrl } from "../../src/Database/DatabaseUrl.js"
import { migrationsTable } from "../../src/Database/migrationIds.js"
import { migrations } from "../../src/Database/migrations.js"
import { sqlClientLayer } from "../../src/Database/SqlClientLayer.js"
import type { CollectionRows } from "../../src/Domain/Collection.js"
import type { ChangeRow, EntityChanges } from "../../src/Domain/CollectionChanges.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const song = (n: number, album: string, artist: string, genre: string) => ({
  id: songId(`/music/${n}.ogg`),
  name: `Song ${n}`,
  length: 100,
  track: n,
  year: 2004,
  album_id: albumId(album),
  artist_id: artistId(artist),
  genre_id: genreId(genre)
})

const named = (id: (name: string) => string, names: ReadonlyArray<string>) => names.map((name) => ({ id: id(name), name }))

/** Generation 1: two albums, one artist, two genres. */
const first: CollectionRows = {
  albums: named(albumId, ["¡Uno!", "Dookie"]),
  artists: named(artistId, ["Green Day"]),
  genres: named(genreId, ["Punk", "Ska"]),
  songs: [song(1, "¡Uno!", "Green Day", "Punk"), song(2, "Dookie", "Green Day", "Ska")]
}

/** Generation 2: "¡UNO!" now spelled in capitals, Dookie gone, an artist added, Ska gone. */
const second: CollectionRows = {
  albums: named(albumId, ["¡UNO!"]),
  artists: named(artistId, ["Green Day", "Minor Threat"]),
  genres: named(genreId, ["Punk"]),
  songs: [song(1, "¡Uno!", "Minor Threat", "Punk"), song(3, "¡Uno!", "Green Day", "Punk")]
}

const songsOf = (changes: Partial<EntityChanges>): EntityChanges => ({ added: [], changed: [], removed: [], ...changes })

const sortRows = (rows: ReadonlyArray<ChangeRow>) =>
  [...rows].sort((a, b) => a.generation - b.generation || a.entity.localeCompare(b.entity) || a.id.localeCompare(b.id))

/** Runs raw SQL on the database (to look at what the change log leaves behind, or to make an older schema). */
const raw = (url: string) => <A>(use: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown, SqlClient.SqlClient>) => {
  const target = parseDatabaseUrl(url)
  if (Either.isLeft(target)) throw target.left
  return Effect.flatMap(SqlClient.SqlClient, use).pipe(Effect.provide(sqlClientLayer(target.right)), Effect.orDie)
}

const recordsAndPrunes = (url: string) =>
  Effect.gen(function* () {
    const db = yield* Database
    const sql = raw(url)
    const scans = sql((client) => client<{ generation: number; changes: number | null }>`SELECT generation, changes FROM avalon_scans ORDER BY generation`)
    const logged = sql((client) => client<{ count: number | string }>`SELECT count(*) AS count FROM avalon_changes`).pipe(Effect.map(([row]) => Number(row!.count)))

    // The first scan into an empty database: nothing to sync from, but generation 1 can be asked for later.
    expect(yield* db.replaceCollection({ rows: first, files: [], root: "/music", changes: { since: 0, songs: songsOf({ added: first.songs.map((s) => s.id) }), keep: 3 } })).toBe(1)
    expect((yield* db.readCollection).changeLog).toEqual({ oldest: 1, rows: [] })

    // The songs as the scan found them; albums, artists and genres compared with what the database held.
    const songs = songsOf({ added: [song(3, "", "", "").id], changed: [song(1, "", "", "").id], removed: [song(2, "", "", "").id] })
    expect(yield* db.replaceCollection({ rows: second, files: [], root: "/music", changes: { since: 1, songs, keep: 3 } })).toBe(2)
    const stored = yield* db.readCollection
    expect(stored.changeLog?.oldest).toBe(1)
    expect(sortRows(stored.changeLog?.rows ?? [])).toEqual(sortRows([
      { generation: 2, entity: "songs", id: songId("/music/3.ogg"), change: "added" },
      { generation: 2, entity: "songs", id: songId("/music/1.ogg"), change: "changed" },
      { generation: 2, entity: "songs", id: songId("/music/2.ogg"), change: "removed" },
      { generation: 2, entity: "albums", id: albumId("¡Uno!"), change: "changed" },
      { generation: 2, entity: "albums", id: albumId("Dookie"), change: "removed" },
      { generation: 2, entity: "artists", id: artistId("Minor Threat"), change: "added" },
      { generation: 2, entity: "genres", id: genreId("Ska"), change: "removed" }
    ]))
    expect(yield* scans).toEqual([{ generation: 1, changes: null }, { generation: 2, changes: 7 }])

    // A scan that read its state at generation 1 while generation 2 was written: its changes are not the ones
    // since 2, so the log starts again at the generation it writes.
    expect(yield* db.replaceCollection({ rows: first, files: [], root: "/music", changes: { since: 1, songs, keep: 3 } })).toBe(3)
    expect((yield* db.readCollection).changeLog).toEqual({ oldest: 3, rows: [] })
    expect(yield* logged).toBe(0)

    // Only the last `keep` generations keep their changes.
    for (let generation = 4; generation <= 7; generation++) {
      const rows = generation % 2 === 0 ? second : first
      const added = songsOf({ added: [songId(`/music/added-in-${generation}.ogg`)] })
      expect(yield* db.replaceCollection({ rows, files: [], root: "/music", changes: { since: generation - 1, songs: added, keep: 2 } })).toBe(generation)
    }
    const pruned = yield* db.readCollection
    expect(pruned.generation).toBe(7)
    expect(pruned.changeLog?.oldest).toBe(5)
    expect(new Set(pruned.changeLog?.rows.map((row) => row.generation))).toEqual(new Set([6, 7]))
    expect(pruned.changeLog?.rows).toContainEqual({ generation: 7, entity: "songs", id: songId("/music/added-in-7.ogg"), change: "added" })
    expect((yield* scans).map((scan) => scan.changes === null)).toEqual([true, true, true, true, true, false, false])
    expect(yield* logged).toBe(pruned.changeLog?.rows.length)

    // Keeping nothing: only the current generation can be asked for.
    expect(yield* db.replaceCollection({ rows: second, files: [], root: "/music", changes: { since: 7, songs: songsOf({}), keep: 0 } })).toBe(8)
    expect((yield* db.readCollection).changeLog).toEqual({ oldest: 8, rows: [] })
    expect(yield* logged).toBe(0)
  }).pipe(Effect.provide(databaseLayer(url)))

/** A database as the previous version of Avalon left it: schema migrations 1 and 2, one scan. */
const previousVersion = (url: string) =>
  raw(url)((sql) =>
    Effect.gen(function* () {
      const { "1_collection_tables": collectionTables, "2_scan_state": scanState } = migrations
      yield* Migrator.make({})({ loader: Migrator.fromRecord({ "1_collection_tables": collectionTables, "2_scan_state": scanState }), table: migrationsTable })
      const id = url.startsWith("sqlite") ? (uuid: string) => uuid.replaceAll("-", "") : (uuid: string) => uuid
      for (const table of ["albums", "artists", "genres"] as const) {
        for (const row of first[table]) yield* sql`INSERT INTO ${sql(table)} ${sql.insert({ id: id(row.id), name: row.name })}`
      }
      for (const row of first.songs) {
        yield* sql`INSERT INTO tracks ${sql.insert({ ...row, id: id(row.id), album_id: id(row.album_id), artist_id: id(row.artist_id), genre_id: id(row.genre_id) })}`
      }
      yield* sql`INSERT INTO avalon_scans ${sql.insert({ generation: 1, finished_at: new Date().toISOString(), root: "/music", songs: 2 })}`
    })
  )

const upgrades = (url: string) =>
  Effect.gen(function* () {
    yield* previousVersion(url)
    const schemaVersion = raw(url)((sql) => sql<{ latest: number }>`SELECT max(migration_id) AS latest FROM ${sql(migrationsTable)}`).pipe(
      Effect.map(([row]) => Number(row!.latest))
    )
    const db = yield* Database
    // The server reads it as it is (it may be a role that can only SELECT): nothing to catch up from but now.
    const served = yield* db.readCollection
    expect(served.generation).toBe(1)
    expect(served.changeLog).toBeUndefined()
    expect(yield* schemaVersion).toBe(2)
    // The next scan upgrades the schema, and its changes since generation 1 are recorded.
    const songs = songsOf({ added: [songId("/music/3.ogg")] })
    expect(yield* db.replaceCollection({ rows: second, files: [], root: "/music", changes: { since: 1, songs, keep: 100 } })).toBe(2)
    expect(yield* schemaVersion).toBe(3)
    const scanned = yield* db.readCollection
    expect(scanned.changeLog?.oldest).toBe(1)
    expect(scanned.changeLog?.rows).toContainEqual({ generation: 2, entity: "albums", id: albumId("Dookie"), change: "removed" })
    expect(scanned.changeLog?.rows).toContainEqual({ generation: 2, entity: "songs", id: songId("/music/3.ogg"), change: "added" })
  }).pipe(Effect.provide(databaseLayer(url)))

describe("the change log in SQLite", () => {
  const folder = makeTemporaryFolder()
  afterAll(folder.remove)

  it.effect("records each scan's changes beside it, and keeps only the last generations", () => recordsAndPrunes(`sqlite:///${join(folder.path, "log.sqlite")}`))
  it.effect("comes with the next scan into a database of the previous version; the server does not add it", () =>
    upgrades(`sqlite:///${join(folder.path, "previous.sqlite")}`))
})

describe("the change log in PostgreSQL", () => {
  const log = createTemporaryPgDatabase()
  const previous = createTemporaryPgDatabase()
  afterAll(() => {
    log.drop()
    previous.drop()
  })

  it.effect("records each scan's changes beside it, and keeps only the last generations", () => recordsAndPrunes(log.url))
  it.effect("comes with the next scan into a database of the previous version; the server does not add it", () => upgrades(previous.url))
})
