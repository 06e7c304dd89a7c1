import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { type SongColumnsBuilder, songColumnList } from "./ColumnsBuilder.js"

// Each page exists a moment as a few large texts (SQLite's, then V8's): 4096 songs keep them to ~0.5 MB, which
// keeps the peak RSS ~10 MB lower at 100k songs than 16384 did, for the same CPU.
const songsPerPage = 4096

/**
 * Reads every song into `columns`, a page at a time, so that a large collection never exists as one
 * object (nor one array) per row. Must run inside a transaction (the PostgreSQL cursor needs one).
 */
export const readSongPages = (sql: SqlClient, columns: SongColumnsBuilder): Effect.Effect<void, SqlError> =>
  sql.onDialectOrElse({ pg: () => readThroughCursor(sql, columns), orElse: () => readByRowid(sql, columns) })

const readThroughCursor = (sql: SqlClient, columns: SongColumnsBuilder) =>
  Effect.gen(function* () {
    // The four uuids of a song come as one string of 128 hex digits: one value to parse instead of four.
    yield* sql.unsafe(
      "DECLARE avalon_tracks NO SCROLL CURSOR FOR SELECT " +
        "replace(id::text || album_id::text || artist_id::text || genre_id::text, '-', ''), name, length, track, year FROM tracks"
    )
    for (;;) {
      const page = yield* sql.unsafe(`FETCH FORWARD ${songsPerPage} FROM avalon_tracks`).values
      for (const row of page) columns.pushWithIds(row)
      if (page.length < songsPerPage) break
    }
    yield* sql.unsafe("CLOSE avalon_tracks")
  })

/**
 * SQLite pages by rowid, and hands each page over as a few values rather than a few per song: the ids
 * as one string of hex digits, the other columns as JSON arrays. A page is read again row by row, which keeps
 * every value exactly as before, when its ids are not all 32 plain hex digits (each one's length checked, so
 * that a long id and a short one cannot make up the page's total) or its values not all of their usual types:
 * a name that is not text (JSON would make `12` a number), a length, track or year that is not an integer
 * (JSON would round a REAL, and has no BLOB: then the aggregate fails). Types are checked here rather than
 * in SQL, where they cost more than half of the query.
 */
const readByRowid = (sql: SqlClient, columns: SongColumnsBuilder) =>
  Effect.gen(function* () {
    let after: unknown = undefined
    for (;;) {
      const where = after === undefined ? "" : "WHERE rowid > ?"
      const params = after === undefined ? [] : [after]
      const page = `FROM tracks ${where} ORDER BY rowid LIMIT ${songsPerPage}`
      const summary = yield* sql.unsafe(
        `SELECT max(song), count(*), total(unusual), group_concat(ids, ''), json_group_array(name), json_group_array(length), ` +
          `json_group_array(track), json_group_array(year) FROM (SELECT rowid AS song, id || album_id || artist_id || genre_id AS ids, ` +
          `name, length, track, year, length(id) <> 32 OR length(album_id) <> 32 OR length(artist_id) <> 32 OR length(genre_id) <> 32 ` +
          `AS unusual ${page})`,
        params
      ).values.pipe(Effect.map(([row]) => row), Effect.orElseSucceed(() => undefined))
      const [last, count, unusual, ids, names, length, track, year] = summary ?? []
      if (summary !== undefined && (typeof count !== "number" || count === 0)) break
      const asColumns = unusual === 0 && typeof count === "number" && typeof ids === "string" &&
        integersOnly(length) && integersOnly(track) && integersOnly(year) &&
        columns.pushPage(count, ids, parseArray(names), parseArray(length), parseArray(track), parseArray(year))
      if (asColumns) {
        if (count < songsPerPage) break
        after = last
        continue
      }
      const rows = yield* sql.unsafe(`SELECT ${songColumnList}, rowid ${page}`, params).values
      for (const row of rows) columns.push(row)
      if (rows.length < songsPerPage) break
      after = rows[rows.length - 1]![8]
    }
  })

/** A JSON array of integers and nulls only: no REAL (a point or an exponent), no text. */
const integersOnly = (json: unknown): boolean => typeof json === "string" && !/[^-\d,[\]nul]/.test(json)

const parseArray = (json: unknown): ReadonlyArray<unknown> => {
  const value: unknown = typeof json === "string" ? JSON.parse(json) : undefined
  return Array.isArray(value) ? value : []
}
