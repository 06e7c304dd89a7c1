import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Array as Arr, Context, Effect, Either, Layer } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { canonicalUuid, compactUuid } from "../Domain/Ids.js"
import { type CollectionRows, namedRows } from "../Domain/Collection.js"
import {
  type ChangeLog,
  type ChangeRow,
  changeKinds,
  diffNamedRows,
  type EntityChanges,
  entityKinds,
  isChangeKind,
  isEntityKind
} from "../Domain/CollectionChanges.js"
import { MalformedId, NamedColumnsBuilder, SongColumnsBuilder } from "./ColumnsBuilder.js"
import { fileStampsFromRows, fileStampsQuery, isOutcome, namedCountsFromRow, namedCountsQuery, type NamedCountsRow } from "./fileStampRows.js"
import { readSongPages } from "./readSongPages.js"
import { readWhenFilesChange } from "./readWhenFilesChange.js"
import { Database, type FileState, type ReplaceCollection } from "./Database.js"
import { DatabaseError } from "./DatabaseError.js"
import { describeTarget, inMemoryFilename, parseDatabaseUrl, type DatabaseTarget } from "./DatabaseUrl.js"
import { describeSqlError } from "./describeSqlError.js"
import { changeLogMigrationId, latestMigrationId, migrationsTable, scanStateMigrationId } from "./migrationIds.js"
import { migrations } from "./migrations.js"
import { sqlClientLayer } from "./SqlClientLayer.js"

const rowsPerInsert = 400

/** A scan writes; the server only reads (possibly as a role that may only SELECT). */
type Purpose = "read" | "write"

const connect = (target: DatabaseTarget, purpose: Purpose) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const what = describeTarget(target)
    const failWith = (action: string) => (error: SqlError | Migrator.MigrationError | MalformedId) =>
      new DatabaseError({ message: `${action} ${what} failed: ${describeSqlError(error)}`, cause: error })
    const storedId = target.dialect === "sqlite" ? compactUuid : (id: string) => id
    // better-sqlite3 builds SQLite with a 16 MB page cache: a read that passes each page once would only fill
    // it (at 100k songs +15 MB RSS at the server's peak, for no speed).
    if (purpose === "read" && target.dialect === "sqlite") yield* Effect.ignore(sql.unsafe("PRAGMA cache_size = -1024"))

    const readSchemaVersion = sql<{ latest: number | string | null }>`SELECT max(migration_id) AS latest FROM ${sql(migrationsTable)}`.pipe(
      Effect.map(([row]) => Number(row?.latest ?? 0)),
      Effect.orElseSucceed(() => 0)
    )
    // The server must not write to a database that already has what it reads, so it migrates only one that lacks
    // the scan tables; a newer table (the change log) waits for the next scan, which brings the schema up to date.
    let schemaVersion = yield* readSchemaVersion
    if (schemaVersion < (purpose === "write" ? latestMigrationId : scanStateMigrationId)) {
      yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable }).pipe(
        // A migration that fails is a defect of the migrator's: here it is one clear error like the others.
        Effect.catchAllDefect((defect) => defect instanceof Migrator.MigrationError ? Effect.fail(defect) : Effect.die(defect)),
        Effect.mapError(failWith("creating the schema of"))
      )
      schemaVersion = latestMigrationId
    }

    const readNamed = (table: string) =>
      Effect.map(sql`SELECT id, name FROM ${sql(table)}`.values, (rows) => {
        const columns = new NamedColumnsBuilder(table, rows.length)
        for (const row of rows) columns.push(row)
        return columns.finish()
      })

    const readSongs = Effect.gen(function* () {
      const [counted] = yield* sql<{ songs: number | string }>`SELECT count(*) AS songs FROM tracks`
      const columns = new SongColumnsBuilder(Number(counted?.songs ?? 0))
      yield* readSongPages(sql, columns)
      return columns.finish()
    })

    const latestScan = Effect.map(
      sql<{ generation: number | string; finished_at: string | Date }>`SELECT generation, finished_at FROM avalon_scans ORDER BY generation DESC LIMIT 1`,
      ([row]) => row === undefined
        ? { generation: 0, scannedAt: undefined }
        : { generation: Number(row.generation), scannedAt: new Date(row.finished_at) }
    )

    const repeatableRead: Effect.Effect<unknown, SqlError> = sql.onDialectOrElse({
      pg: () => sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`,
      orElse: () => Effect.void
    })
    const snapshot = <A, E, R>(effect: Effect.Effect<A, E, R>) => sql.withTransaction(Effect.zipRight(repeatableRead, effect))

    const readChangeLog: Effect.Effect<ChangeLog, SqlError> = Effect.gen(function* () {
      const [cut] = yield* sql<{ newest: number | string | null }>`SELECT max(generation) AS newest FROM avalon_scans WHERE changes IS NULL`
      const oldest = Number(cut?.newest ?? 0)
      const rows = yield* sql<{ generation: number | string; entity: string; id: string; change: string }>`
        SELECT generation, entity, id, change FROM avalon_changes WHERE generation > ${oldest}`
      return {
        oldest,
        rows: rows.flatMap((row): Array<ChangeRow> =>
          isEntityKind(row.entity) && isChangeKind(row.change)
            ? [{ generation: Number(row.generation), entity: row.entity, id: canonicalUuid(String(row.id)), change: row.change }]
            : [])
      }
    })

    const readCollection = snapshot(
      Effect.all({
        songs: readSongs,
        albums: readNamed("albums"),
        artists: readNamed("artists"),
        genres: readNamed("genres"),
        scan: latestScan,
        changeLog: schemaVersion >= changeLogMigrationId ? readChangeLog : Effect.succeed(undefined)
      })
    ).pipe(
      Effect.map(({ changeLog, scan, ...columns }) => ({ columns, generation: scan.generation, scannedAt: scan.scannedAt, changeLog })),
      Effect.catchAllDefect((defect) => defect instanceof MalformedId ? Effect.fail(defect) : Effect.die(defect)),
      Effect.mapError(failWith("reading the collection from"))
    )

    const readGeneration = latestScan.pipe(Effect.map((scan) => scan.generation), Effect.mapError(failWith("reading the scan generation of")))

    // Value arrays rather than row objects: an unchanged re-scan reads one row per file and little else.
    const readFiles = sql`SELECT path, size, mtime_ms, outcome, name, album, artist, genre, track, year, length FROM avalon_files`.values.pipe(
      Effect.map((rows) => {
        const files: Array<FileState> = []
        for (const [path, size, mtimeMs, outcome, name, album, artist, genre, track, year, length] of rows) {
          const kind = String(outcome)
          if (!isOutcome(kind)) continue
          files.push({
            path: String(path),
            size: Number(size),
            mtimeMs: Number(mtimeMs),
            outcome: kind,
            tags: { name: String(name), album: String(album), artist: String(artist), genre: String(genre), track: Number(track), year: Number(year), length: Number(length) }
          })
        }
        return files
      })
    )

    const readFileStates = snapshot(Effect.all({ scan: latestScan, files: readFiles })).pipe(
      Effect.map(({ files, scan }) => ({ generation: scan.generation, files })),
      Effect.mapError(failWith("reading the scan state of"))
    )

    const readStamps = Effect.map(sql.unsafe(fileStampsQuery).values, fileStampsFromRows)
    const countNamed = Effect.map(sql.unsafe<NamedCountsRow>(namedCountsQuery), ([row]) => namedCountsFromRow(row))

    const readFileStamps = snapshot(Effect.all({ scan: latestScan, files: readStamps, named: countNamed })).pipe(
      Effect.map(({ files, named, scan }) => ({ generation: scan.generation, files, ...named })),
      Effect.mapError(failWith("reading the scan state of"))
    )

    /**
     * On SQLite, one multi-row INSERT text reused for every full chunk (a prepared statement from the driver's cache)
     * with the values in one flat array: no row objects, and nothing for @effect/sql to compile per chunk.
     */
    const insertColumns = <Row>(table: string, columns: ReadonlyArray<string>, rows: ReadonlyArray<Row>, values: (row: Row, into: Array<unknown>) => void) =>
      sql.onDialectOrElse({
        sqlite: () => {
          const tuple = `(${columns.map(() => "?").join(",")})`
          const insertOf = (count: number) => `INSERT INTO ${table} (${columns.join(",")}) VALUES ${Array.from({ length: count }, () => tuple).join(",")}`
          const fullChunk = insertOf(rowsPerInsert)
          return Effect.forEach(Arr.chunksOf(rows, rowsPerInsert), (chunk) => {
            const params: Array<unknown> = []
            for (const row of chunk) values(row, params)
            return sql.unsafe(chunk.length === rowsPerInsert ? fullChunk : insertOf(chunk.length), params).raw
          }, { discard: true })
        },
        orElse: () =>
          insertAll(table, rows.map((row) => {
            const params: Array<unknown> = []
            values(row, params)
            return Object.fromEntries(columns.map((column, index) => [column, params[index]]))
          }))
      })

    const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
      Effect.forEach(Arr.chunksOf(rows, rowsPerInsert), (chunk) => sql`INSERT INTO ${sql(table)} ${sql.insert(chunk)}`, { discard: true })

    const lockScans: Effect.Effect<unknown, SqlError> = sql.onDialectOrElse({
      pg: () => sql`LOCK TABLE avalon_scans IN EXCLUSIVE MODE`,
      orElse: () => Effect.void
    })

    /** The change log rows of generation `generation`: the scan's song changes, and the named rows compared now. */
    const changeRows = (generation: number, songs: EntityChanges, rows: CollectionRows) =>
      Effect.map(
        Effect.all({ albums: readNamed("albums"), artists: readNamed("artists"), genres: readNamed("genres") }),
        (previous) => {
          const changes = {
            songs,
            albums: diffNamedRows(namedRows(previous.albums), rows.albums),
            artists: diffNamedRows(namedRows(previous.artists), rows.artists),
            genres: diffNamedRows(namedRows(previous.genres), rows.genres)
          }
          const out: Array<Record<string, unknown>> = []
          for (const entity of entityKinds) {
            for (const change of changeKinds) for (const id of changes[entity][change]) out.push({ generation, entity, id: storedId(id), change })
          }
          return out
        }
      )

    const replaceCollection = ({ changes, files, root, rows }: ReplaceCollection) =>
      sql.withTransaction(
        Effect.gen(function* () {
          yield* lockScans
          // The first write takes SQLite's write lock, so that nothing read below changes until the commit.
          yield* sql`DELETE FROM tracks`
          const { generation } = yield* latestScan
          const next = generation + 1
          const keep = changes !== undefined && generation > 0 && changes.since === generation ? changes.keep : 0
          const recorded = keep > 0 && changes !== undefined ? yield* changeRows(next, changes.songs, rows) : undefined
          for (const table of ["albums", "artists", "genres", "avalon_files"]) yield* sql`DELETE FROM ${sql(table)}`
          for (const [table, named] of [["albums", rows.albums], ["artists", rows.artists], ["genres", rows.genres]] as const) {
            yield* insertColumns(table, ["id", "name"], named, (row, into) => into.push(storedId(row.id), row.name))
          }
          yield* insertColumns(
            "tracks",
            ["id", "name", "length", "track", "year", "album_id", "artist_id", "genre_id"],
            rows.songs,
            (song, into) =>
              into.push(storedId(song.id), song.name, song.length, song.track, song.year, storedId(song.album_id), storedId(song.artist_id), storedId(song.genre_id))
          )
          yield* insertColumns(
            "avalon_files",
            ["path", "size", "mtime_ms", "outcome", "name", "album", "artist", "genre", "track", "year", "length"],
            files,
            (file, into) =>
              into.push(file.path, file.size, file.mtimeMs, file.outcome, file.tags.name, file.tags.album, file.tags.artist, file.tags.genre, file.tags.track, file.tags.year, file.tags.length)
          )
          yield* sql`INSERT INTO avalon_scans ${
            sql.insert({ generation: next, finished_at: new Date().toISOString(), root, songs: rows.songs.length, changes: recorded?.length ?? null })
          }`
          if (recorded !== undefined) yield* insertAll("avalon_changes", recorded)
          // Only the last `keep` generations keep their changes; one whose changes are unknown cuts the log there.
          const oldest = next - keep
          yield* sql`DELETE FROM avalon_changes WHERE generation <= ${oldest}`
          yield* sql`UPDATE avalon_scans SET changes = NULL WHERE generation <= ${oldest} AND changes IS NOT NULL`
          return next
        })
      ).pipe(Effect.mapError(failWith("writing the collection to")))

    return { readCollection, readGeneration, readFileStates, readFileStamps, replaceCollection }
  })

/**
 * A SQLite database's files change with every commit (in WAL mode the -wal file grows, a checkpoint writes the
 * database, a rollback journal comes and goes), so the scan generation is read again only once they have
 * changed: opening the database to find the same generation took ~10 ms of the server's event loop every
 * RELOAD_INTERVAL. A minute at most between real reads, in case a file system keeps coarse times.
 */
const generationCheckMaxAgeMs = 60_000
const sqliteFiles = (filename: string): ReadonlyArray<string> => [filename, `${filename}-wal`, `${filename}-journal`]

/**
 * Each operation opens its own connection and closes it when done: the server holds no connection between
 * reloads, and a database that is down at one moment does not poison the next attempt.
 */
const make = (target: DatabaseTarget): Database["Type"] => {
  const connection = (purpose: Purpose) => Layer.effect(Connection, connect(target, purpose)).pipe(Layer.provide(sqlClientLayer(target)))
  const forReading = connection("read")
  const forWriting = connection("write")
  const using = <A>(layer: typeof forReading, use: (operations: Connection["Type"]) => Effect.Effect<A, DatabaseError>) =>
    Effect.provide(Effect.flatMap(Connection, use), layer)
  const readGeneration = using(forReading, (operations) => operations.readGeneration)
  return Database.of({
    target,
    readCollection: using(forReading, (operations) => operations.readCollection),
    readGeneration: target.dialect === "sqlite" && target.filename !== inMemoryFilename
      ? readWhenFilesChange(sqliteFiles(target.filename), readGeneration, generationCheckMaxAgeMs)
      : readGeneration,
    // Only a scan reads the file states, and it writes next.
    readFileStates: using(forWriting, (operations) => operations.readFileStates),
    readFileStamps: using(forWriting, (operations) => operations.readFileStamps),
    replaceCollection: (input) => using(forWriting, (operations) => operations.replaceCollection(input))
  })
}

class Connection extends Context.Tag("avalon/Database/Connection")<
  Connection,
  Effect.Effect.Success<ReturnType<typeof connect>>
>() {}

/** The database named by a URL, schema created or upgraded when needed. */
export const databaseLayer = (url: string): Layer.Layer<Database, DatabaseError> => {
  const target = parseDatabaseUrl(url)
  return Either.isLeft(target)
    ? Layer.fail(target.left)
    : Layer.succeed(Database, make(target.right))
}

export const DatabaseLive: Layer.Layer<Database, DatabaseError, AppConfig> = Layer.unwrapEffect(
  Effect.map(AppConfig, (settings) => databaseLayer(settings.DATABASE_URL))
)
