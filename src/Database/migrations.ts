import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Tables compatible with the original Avalon (SQLAlchemy): `IF NOT EXISTS` so that a database written by the
 * original scanner is adopted as it is. UUIDs are CHAR(32) hex in SQLite and native `uuid` in PostgreSQL.
 */
const collectionTables = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const uuid = sql.onDialectOrElse({ pg: () => "uuid", orElse: () => "CHAR(32)" })
  for (const table of ["albums", "artists", "genres"]) {
    yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS ${table} (id ${uuid} NOT NULL PRIMARY KEY, name VARCHAR NOT NULL)`)
  }
  yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS tracks (
    id ${uuid} NOT NULL PRIMARY KEY,
    name VARCHAR NOT NULL,
    length INTEGER NOT NULL,
    track INTEGER NOT NULL,
    year INTEGER NOT NULL,
    album_id ${uuid} NOT NULL REFERENCES albums (id),
    artist_id ${uuid} NOT NULL REFERENCES artists (id),
    genre_id ${uuid} NOT NULL REFERENCES genres (id)
  )`)
  for (const column of ["album_id", "artist_id", "genre_id"]) {
    yield* sql.unsafe(`CREATE INDEX IF NOT EXISTS ix_tracks_${column} ON tracks (${column})`)
  }
})

/** Our own tables: per-file scan state for incremental re-scans, and one row per finished scan (the generation). */
const scanState = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const float = sql.onDialectOrElse({ pg: () => "DOUBLE PRECISION", orElse: () => "REAL" })
  const timestamp = sql.onDialectOrElse({ pg: () => "TIMESTAMPTZ", orElse: () => "TEXT" })
  yield* sql.unsafe(`CREATE TABLE avalon_files (
    path VARCHAR NOT NULL PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ms ${float} NOT NULL,
    outcome VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    album VARCHAR NOT NULL,
    artist VARCHAR NOT NULL,
    genre VARCHAR NOT NULL,
    track INTEGER NOT NULL,
    year INTEGER NOT NULL,
    length INTEGER NOT NULL
  )`)
  yield* sql.unsafe(`CREATE TABLE avalon_scans (
    generation INTEGER NOT NULL PRIMARY KEY,
    finished_at ${timestamp} NOT NULL,
    root VARCHAR NOT NULL,
    songs INTEGER NOT NULL
  )`)
})

/**
 * The change feed: what each scan generation did to which entity. `avalon_scans.changes` counts a generation's
 * rows; NULL means they are not known (the first scan, scans from before this table, or pruned), so a client can
 * catch up only from the newest such generation on.
 */
const changeLog = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const uuid = sql.onDialectOrElse({ pg: () => "uuid", orElse: () => "CHAR(32)" })
  yield* sql.unsafe(`ALTER TABLE avalon_scans ADD COLUMN changes INTEGER`)
  yield* sql.unsafe(`CREATE TABLE avalon_changes (
    generation INTEGER NOT NULL,
    entity VARCHAR NOT NULL,
    id ${uuid} NOT NULL,
    change VARCHAR NOT NULL,
    PRIMARY KEY (generation, entity, id)
  )`)
})

export const migrations = {
  "1_collection_tables": collectionTables,
  "2_scan_state": scanState,
  "3_change_log": changeLog
}
