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
 * as one string of hex digits, the other columns as JSON arrays. A page whose ids are not all 32 plain
 * hex digits (each checked, so that a long id and a short one cannot make up the page's total), or whose values are not all of their usual types (a name that is not text, a REAL length:
 * JSON would round it), is read again row by row, which keeps every value exactly as before.
 */
const readByRowid = (sql: SqlClient, columns: SongColumnsBuilder) =>
  Effect.gen(function* () {
    let after: unknown = undefined
    for (;;) {
      const where = after === undefined ? "" : "WHERE rowid > ?"
      const params = after === undefined ? [] : [after]
      const page = `FROM tracks ${where} ORDER BY rowid LIMIT ${songsPerPage}`
      const [summary] = yield* sql.unsafe(
        `SELECT max(song), count(*), total(unusual), group_concat(ids, ''), json_group_array(name), json_group_array(length), ` +
          `json_group_array(track), json_group_array(year) FROM (SELECT rowid AS song, id || album_id || artist_id || genre_id AS ids, ` +
          `iif(typeof(name) = 'text', name, '') AS name, length, track, year, typeof(name) NOT IN ('text', 'null') OR ` +
          `typeof(length) NOT IN ('integer', 'null') OR typeof(track) NOT IN ('integer', 'null') OR typeof(year) NOT IN ('integer', 'null') OR ` +
          `length(id) <> 32 OR length(album_id) <> 32 OR length(artist_id) <> 32 OR length(genre_id) <> 32 ` +
          `AS unusual ${page})`,
        params
      ).values
      const [last, count, unusual, ids, names, length, track, year] = summary ?? []
      if (typeof count !== "number" || count === 0) break
      const asColumns = unusual === 0 && typeof ids === "string" &&
        columns.pushPage(count, ids, parseArray(names), parseArray(length), parseArray(track), parseArray(year))
      if (!asColumns) {
        const rows = yield* sql.unsafe(`SELECT ${songColumnList} ${page}`, params).values
        for (const row of rows) columns.push(row)
      }
      if (count < songsPerPage) break
      after = last
    }
  })

const parseArray = (json: unknown): ReadonlyArray<unknown> => {
  const value: unknown = typeof json === "string" ? JSON.parse(json) : undefined
  return Array.isArray(value) ? value : []
}
