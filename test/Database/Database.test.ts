import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { join } from "node:path"
import { Database } from "../../src/Database/Database.js"
import { databaseLayer } from "../../src/Database/DatabaseLive.js"
import { parseDatabaseUrl } from "../../src/Database/DatabaseUrl.js"
import { loadDriver } from "../../src/Database/SqlClientLayer.js"
import { collectionRows, type CollectionRows } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const collection = (suffix: string): CollectionRows => ({
  albums: [{ id: albumId(`¡Uno! ${suffix}`), name: `¡Uno! ${suffix}` }],
  artists: [{ id: artistId("Minor Threat"), name: "Minor Threat" }],
  genres: [{ id: genreId("Punk Ska"), name: "Punk Ska" }],
  songs: [1, 2, 3].map((n) => ({
    id: songId(`/music/${suffix}/${n}.ogg`),
    name: `Song ${n} ${suffix}`,
    length: 100 + n,
    track: n,
    year: 2004,
    album_id: albumId(`¡Uno! ${suffix}`),
    artist_id: artistId("Minor Threat"),
    genre_id: genreId("Punk Ska")
  }))
})

const files = [{ path: "/music/a.ogg", size: 10, mtimeMs: 1234.5, outcome: "song" as const, tags: { name: "A", album: "B", artist: "C", genre: "D", track: 1, year: 2, length: 3 } }]

const sortById = <A extends { id: string }>(rows: ReadonlyArray<A>) => [...rows].sort((a, b) => a.id.localeCompare(b.id))

/** The stored collection as rows, the easier to compare. */
const readRows = (db: Database["Type"]) =>
  Effect.map(db.readCollection, ({ columns, ...rest }) => ({ ...rest, rows: collectionRows(columns) }))

const roundTrip = (url: string) =>
  Effect.gen(function* () {
    const db = yield* Database
    const empty = yield* readRows(db)
    expect(empty.generation).toBe(0)
    expect(empty.rows.songs).toEqual([])

    expect(yield* db.replaceCollection({ rows: collection("one"), files, root: "/music" })).toBe(1)
    const first = yield* readRows(db)
    expect(first.generation).toBe(1)
    expect(first.scannedAt).toBeInstanceOf(Date)
    expect(sortById(first.rows.songs)).toEqual(sortById(collection("one").songs))
    expect(first.rows.albums).toEqual(collection("one").albums)
    expect(yield* db.readFileStates).toEqual({ generation: 1, files })
    const one = collection("one")
    expect(yield* db.readFileStamps).toEqual({
      generation: 1,
      files: files.map(({ tags: _, ...stamp }) => stamp),
      albums: one.albums.length,
      artists: one.artists.length,
      genres: one.genres.length
    })

    expect(yield* db.replaceCollection({ rows: collection("two"), files: [], root: "/music" })).toBe(2)
    const second = yield* readRows(db)
    expect(second.rows.albums).toEqual(collection("two").albums)
    expect(second.rows.songs).toHaveLength(3)
    expect(yield* db.readFileStates).toEqual({ generation: 2, files: [] })
    expect(yield* db.readFileStamps).toMatchObject({ generation: 2, files: [], albums: collection("two").albums.length })
    expect(yield* db.readGeneration).toBe(2)

    const broken = collection("three")
    const duplicateIds = { ...broken, songs: [...broken.songs, broken.songs[0]!] }
    const failure = yield* Effect.flip(db.replaceCollection({ rows: duplicateIds, files: [], root: "/music" }))
    expect(failure._tag).toBe("DatabaseError")
    expect(failure.message).not.toContain("secret")
    const afterFailure = yield* readRows(db)
    expect(afterFailure.generation).toBe(2)
    expect(afterFailure.rows.albums).toEqual(collection("two").albums)
    return url
  }).pipe(Effect.provide(databaseLayer(url)))

/** More songs than one page of the reader (16,384), so that every page boundary is crossed. */
const manySongs = (): CollectionRows => {
  const base = collection("many")
  const names = ["plain", "Ünïcode ½", "quote \" and \\", "emoji 😀", ""]
  return {
    ...base,
    songs: Array.from({ length: 40_000 }, (_, n) => ({
      ...base.songs[n % 3]!,
      id: songId(`/music/many/${n}.ogg`),
      name: `${names[n % names.length]} ${n}`,
      length: n % 7 === 0 ? 0 : 60 + n,
      track: n % 30,
      year: 1990 + (n % 35)
    }))
  }
}

const readsManySongs = (url: string) =>
  Effect.gen(function* () {
    const db = yield* Database
    const rows = manySongs()
    yield* db.replaceCollection({ rows, files: [], root: "/music" })
    const stored = yield* readRows(db)
    expect(stored.rows.songs).toHaveLength(rows.songs.length)
    expect(sortById(stored.rows.songs)).toEqual(sortById(rows.songs))
  }).pipe(Effect.provide(databaseLayer(url)))

describe("loadDriver", () => {
  it.effect("turns a driver that cannot be loaded into one clear DatabaseError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadDriver("SQLite", () => Promise.reject(new Error("Cannot find module 'better-sqlite3'"))))
      expect(error._tag).toBe("DatabaseError")
      expect(error.message).toBe("cannot load the SQLite driver (reinstall with `npm ci`): Cannot find module 'better-sqlite3'")
      expect(yield* loadDriver("SQLite", () => Promise.resolve("module"))).toBe("module")
    }))
})

describe("parseDatabaseUrl", () => {
  it("follows SQLAlchemy's slash rules", () => {
    expect(parseDatabaseUrl("sqlite:////var/db/avalon.sqlite")).toEqual(Either.right({ dialect: "sqlite", filename: "/var/db/avalon.sqlite" }))
    expect(parseDatabaseUrl("sqlite:///rel/a.sqlite")).toEqual(Either.right({ dialect: "sqlite", filename: join(process.cwd(), "rel/a.sqlite") }))
    expect(parseDatabaseUrl("sqlite://")).toEqual(Either.right({ dialect: "sqlite", filename: ":memory:" }))
  })

  it("accepts the PostgreSQL spellings of the original", () => {
    for (const scheme of ["postgresql", "postgres", "postgresql+psycopg2"]) {
      expect(parseDatabaseUrl(`${scheme}://u:p@h:5432/db`)).toEqual(Either.right({ dialect: "pg", url: "postgresql://u:p@h:5432/db" }))
    }
  })

  it("names an unsupported scheme and masks the password", () => {
    const result = parseDatabaseUrl("mysql://user:hunter2@db/music")
    expect(Either.isLeft(result) && result.left.message).toMatch(/^unsupported database URL scheme "mysql" in mysql:\/\/user:\*\*\*@db\/music/)
  })
})

describe("SQLite", () => {
  const folder = makeTemporaryFolder()
  afterAll(folder.remove)

  it.effect("round-trips a collection, one transaction per replacement", () => roundTrip(`sqlite:///${join(folder.path, "a.sqlite")}`))

  it.effect("stores ids as 32 lowercase hex characters, like the original", () =>
    Effect.gen(function* () {
      const filename = join(folder.path, "hex.sqlite")
      yield* roundTrip(`sqlite:///${filename}`)
      const db = new Sqlite(filename, { readonly: true })
      const row = db.prepare("SELECT id, album_id FROM tracks LIMIT 1").get() as { id: string; album_id: string }
      db.close()
      expect(row.id).toMatch(/^[0-9a-f]{32}$/)
      expect(row.album_id).toBe(albumId("¡Uno! two").replaceAll("-", ""))
    }))

  it.effect("adopts a database written by the original Avalon", () =>
    Effect.gen(function* () {
      const filename = join(folder.path, "original.sqlite")
      const original = new Sqlite(filename)
      original.exec(`
        CREATE TABLE albums (id CHAR(32) NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
        CREATE TABLE artists (id CHAR(32) NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
        CREATE TABLE genres (id CHAR(32) NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
        CREATE TABLE tracks (id CHAR(32) NOT NULL, name VARCHAR NOT NULL, length INTEGER NOT NULL, track INTEGER NOT NULL,
          year INTEGER NOT NULL, album_id CHAR(32) NOT NULL, artist_id CHAR(32) NOT NULL, genre_id CHAR(32) NOT NULL, PRIMARY KEY (id),
          FOREIGN KEY(album_id) REFERENCES albums (id), FOREIGN KEY(artist_id) REFERENCES artists (id), FOREIGN KEY(genre_id) REFERENCES genres (id));
        CREATE INDEX ix_tracks_album_id ON tracks (album_id);
        INSERT INTO albums VALUES ('32792eb503ff58379869d77ac9b5c99f', '¡Uno!');
        INSERT INTO artists VALUES ('debcc564211b559cb810e72598bdaf47', 'Minor Threat');
        INSERT INTO genres VALUES ('3af7ba62d87f5258af62d7c5655ec567', 'Punk Ska');
        INSERT INTO tracks VALUES ('56b33b92d5b65971b166dc959b442c0c', 'Adicción', 201, 2, 2004,
          '32792eb503ff58379869d77ac9b5c99f', 'debcc564211b559cb810e72598bdaf47', '3af7ba62d87f5258af62d7c5655ec567');
      `)
      original.close()
      const stored = yield* Effect.flatMap(Database, readRows).pipe(Effect.provide(databaseLayer(`sqlite:///${filename}`)))
      expect(stored.generation).toBe(0)
      expect(stored.rows.songs).toEqual([{
        id: "56b33b92-d5b6-5971-b166-dc959b442c0c",
        name: "Adicción",
        length: 201,
        track: 2,
        year: 2004,
        album_id: "32792eb5-03ff-5837-9869-d77ac9b5c99f",
        artist_id: "debcc564-211b-559c-b810-e72598bdaf47",
        genre_id: "3af7ba62-d87f-5258-af62-d7c5655ec567"
      }])
      expect(stored.rows.albums).toEqual([{ id: "32792eb5-03ff-5837-9869-d77ac9b5c99f", name: "¡Uno!" }])
    }))

  it.effect("reads a collection of several pages", () => readsManySongs(`sqlite:///${join(folder.path, "many.sqlite")}`), 60_000)

  it.effect("reads unusual stored values exactly, and refuses an id that is not a UUID in one clear line", () =>
    Effect.gen(function* () {
      const filename = join(folder.path, "unusual.sqlite")
      const url = `sqlite:///${filename}`
      yield* Effect.flatMap(Database, (db) => db.replaceCollection({ rows: collection("unusual"), files: [], root: "/music" })).pipe(Effect.provide(databaseLayer(url)))
      const song = collection("unusual").songs[0]!
      const edit = (sql: string) => {
        const db = new Sqlite(filename)
        db.exec(`PRAGMA foreign_keys = OFF; ${sql}`)
        db.close()
      }
      // Hand-edited rows: an upper-case hyphenated id, a REAL length (JSON would round it), a number as a name.
      edit(`UPDATE tracks SET id = '${song.id.toUpperCase()}', length = 0.30000000000000004, name = 12 WHERE id = '${song.id.replaceAll("-", "")}'`)
      const stored = yield* Effect.flatMap(Database, readRows).pipe(Effect.provide(databaseLayer(url)))
      expect(sortById(stored.rows.songs)).toEqual(sortById([{ ...song, length: 0.30000000000000004, name: "12" }, ...collection("unusual").songs.slice(1)]))
      edit(`UPDATE tracks SET album_id = 'not-a-uuid' WHERE id = '${song.id.toUpperCase()}'`)
      const error = yield* Effect.flip(Effect.flatMap(Database, (db) => db.readCollection).pipe(Effect.provide(databaseLayer(url))))
      expect(error.message).toBe(`reading the collection from SQLite database ${filename} failed: tracks.album_id holds "not-a-uuid", which is not a UUID`)
    }))

  it.effect("reads a page holding a BLOB name row by row, the name empty as before", () =>
    Effect.gen(function* () {
      const filename = join(folder.path, "blob.sqlite")
      const url = `sqlite:///${filename}`
      yield* Effect.flatMap(Database, (db) => db.replaceCollection({ rows: collection("blob"), files: [], root: "/music" })).pipe(Effect.provide(databaseLayer(url)))
      const song = collection("blob").songs[0]!
      const db = new Sqlite(filename)
      db.exec(`UPDATE tracks SET name = X'4142' WHERE id = '${song.id.replaceAll("-", "")}'`)
      db.close()
      const stored = yield* Effect.flatMap(Database, readRows).pipe(Effect.provide(databaseLayer(url)))
      expect(sortById(stored.rows.songs)).toEqual(sortById([{ ...song, name: "" }, ...collection("blob").songs.slice(1)]))
    }))

  it.effect("refuses a 32-character id with a letter that is not hex, and ids too long and too short that add up to 64 digits", () =>
    Effect.gen(function* () {
      const filename = join(folder.path, "misaligned.sqlite")
      const url = `sqlite:///${filename}`
      yield* Effect.flatMap(Database, (db) => db.replaceCollection({ rows: collection("misaligned"), files: [], root: "/music" })).pipe(Effect.provide(databaseLayer(url)))
      const song = collection("misaligned").songs[0]!
      const stored = song.id.replaceAll("-", "")
      const edit = (sql: string) => {
        const db = new Sqlite(filename)
        db.exec(`PRAGMA foreign_keys = OFF; ${sql}`)
        db.close()
      }
      const read = Effect.flip(Effect.flatMap(Database, (db) => db.readCollection).pipe(Effect.provide(databaseLayer(url))))
      const notHex = `${stored.slice(0, 31)}g`
      edit(`UPDATE tracks SET id = '${notHex}' WHERE id = '${stored}'`)
      expect((yield* read).message).toBe(`reading the collection from SQLite database ${filename} failed: tracks.id holds "${notHex}", which is not a UUID`)
      const album = song.album_id.replaceAll("-", "")
      edit(`UPDATE tracks SET id = '${stored}a', album_id = '${album.slice(0, 31)}' WHERE id = '${notHex}'`)
      expect((yield* read).message).toBe(`reading the collection from SQLite database ${filename} failed: tracks.id holds "${stored}a", which is not a UUID`)
    }))

  it.effect("sees a new scan generation at once, committed and checkpointed or still in the -wal of an open connection", () =>
    Effect.gen(function* () {
      const file = join(folder.path, "generation.sqlite")
      const url = `sqlite:///${file}`
      const server = yield* Effect.provide(Database, databaseLayer(url))
      const scanner = yield* Effect.provide(Database, databaseLayer(url))
      expect(yield* server.readGeneration).toBe(0)
      expect(yield* server.readGeneration).toBe(0)
      expect(yield* scanner.replaceCollection({ rows: collection("one"), files, root: "/music" })).toBe(1)
      expect(yield* server.readGeneration).toBe(1)
      expect(yield* server.readGeneration).toBe(1)

      // A writer that stays connected: its commit is in the -wal file only, the database file is as it was.
      const writer = new Sqlite(file)
      try {
        writer.pragma("wal_autocheckpoint = 0")
        writer.prepare("INSERT INTO avalon_scans (generation, finished_at, root, songs) VALUES (2, ?, '/music', 3)").run(new Date().toISOString())
        expect(yield* server.readGeneration).toBe(2)
        writer.prepare("INSERT INTO avalon_scans (generation, finished_at, root, songs) VALUES (3, ?, '/music', 3)").run(new Date().toISOString())
        expect(yield* server.readGeneration).toBe(3)
      } finally {
        writer.close()
      }
      expect(yield* server.readGeneration).toBe(3)
    }))

  it.effect("fails with one clear line when the folder does not exist", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.flatMap(Database, (db) => db.readGeneration).pipe(Effect.provide(databaseLayer("sqlite:////nonexistent/folder/x.sqlite"))))
      expect(error.message).toBe("cannot open SQLite database /nonexistent/folder/x.sqlite: folder /nonexistent/folder does not exist")
    }))
})

describe("PostgreSQL", () => {
  const pg = createTemporaryPgDatabase()
  afterAll(pg.drop)

  it.effect("round-trips a collection, one transaction per replacement", () => roundTrip(pg.url))

  it.effect("reads a collection of several pages", () => readsManySongs(pg.url), 60_000)

  it.effect("stores ids as native uuid", () =>
    Effect.sync(() => {
      expect(pg.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'tracks' AND column_name = 'album_id'")).toBe("uuid")
    }))

  it.effect("reports an unreachable server without the password", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.flatMap(Database, (db) => db.readGeneration).pipe(Effect.provide(databaseLayer("postgresql://avalon:secret@127.0.0.1:1/music")))
      )
      expect(error.message).toMatch(/^cannot connect to PostgreSQL database postgresql:\/\/avalon:\*\*\*@127\.0\.0\.1:1\/music: .*ECONNREFUSED/)
      expect(error.message).not.toContain("secret")
    }))
})
