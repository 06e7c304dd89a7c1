import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Array as Arr, Context, Effect, Either, Layer } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { compactUuid } from "../Domain/Ids.js"
import type { NamedRow } from "../Domain/Collection.js"
import { MalformedId, NamedColumnsBuilder, SongColumnsBuilder } from "./ColumnsBuilder.js"
import { readSongPages } from "./readSongPages.js"
import { Database, type FileOutcome, type FileState, type ReplaceCollection } from "./Database.js"
import { DatabaseError } from "./DatabaseError.js"
import { describeTarget, parseDatabaseUrl, type DatabaseTarget } from "./DatabaseUrl.js"
import { describeSqlError } from "./describeSqlError.js"
import { latestMigrationId, migrations, migrationsTable } from "./migrations.js"
import { sqlClientLayer } from "./SqlClientLayer.js"

const rowsPerInsert = 400

type FileRow = {
  path: string
  size: number | string
  mtime_ms: number
  outcome: string
  name: string
  album: string
  artist: string
  genre: string
  track: number
  year: number
  length: number
}

const isOutcome = (text: string): text is FileOutcome => text === "song" || text === "not-audio" || text === "corrupt"

const connect = (target: DatabaseTarget) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const what = describeTarget(target)
    const failWith = (action: string) => (error: SqlError | Migrator.MigrationError | MalformedId) =>
      new DatabaseError({ message: `${action} ${what} failed: ${describeSqlError(error)}`, cause: error })
    const storedId = target.dialect === "sqlite" ? compactUuid : (id: string) => id

    const schemaIsCurrent = sql<{ latest: number | string | null }>`SELECT max(migration_id) AS latest FROM ${sql(migrationsTable)}`.pipe(
      Effect.map(([row]) => Number(row?.latest ?? 0) >= latestMigrationId),
      Effect.orElseSucceed(() => false)
    )
    // The server must not write to a database that already has the schema, so migrate only when needed.
    if (!(yield* schemaIsCurrent)) {
      yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations), table: migrationsTable }).pipe(
        Effect.mapError(failWith("creating the schema of"))
      )
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

    const readCollection = snapshot(
      Effect.all({ songs: readSongs, albums: readNamed("albums"), artists: readNamed("artists"), genres: readNamed("genres"), scan: latestScan })
    ).pipe(
      Effect.map(({ scan, ...columns }) => ({ columns, generation: scan.generation, scannedAt: scan.scannedAt })),
      Effect.catchAllDefect((defect) => defect instanceof MalformedId ? Effect.fail(defect) : Effect.die(defect)),
      Effect.mapError(failWith("reading the collection from"))
    )

    const readGeneration = latestScan.pipe(Effect.map((scan) => scan.generation), Effect.mapError(failWith("reading the scan generation of")))

    const readFileStates = sql<FileRow>`SELECT path, size, mtime_ms, outcome, name, album, artist, genre, track, year, length FROM avalon_files`.pipe(
      Effect.map((rows) =>
        rows.flatMap((row): Array<FileState> =>
          isOutcome(row.outcome)
            ? [{
              path: row.path,
              size: Number(row.size),
              mtimeMs: Number(row.mtime_ms),
              outcome: row.outcome,
              tags: { name: row.name, album: row.album, artist: row.artist, genre: row.genre, track: Number(row.track), year: Number(row.year), length: Number(row.length) }
            }]
            : [])
      ),
      Effect.mapError(failWith("reading the scan state of"))
    )

    const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
      Effect.forEach(Arr.chunksOf(rows, rowsPerInsert), (chunk) => sql`INSERT INTO ${sql(table)} ${sql.insert(chunk)}`, { discard: true })

    const named = (rows: ReadonlyArray<NamedRow>) => rows.map((row) => ({ id: storedId(row.id), name: row.name }))

    const lockScans: Effect.Effect<unknown, SqlError> = sql.onDialectOrElse({
      pg: () => sql`LOCK TABLE avalon_scans IN EXCLUSIVE MODE`,
      orElse: () => Effect.void
    })

    const replaceCollection = ({ files, root, rows }: ReplaceCollection) =>
      sql.withTransaction(
        Effect.gen(function* () {
          yield* lockScans
          for (const table of ["tracks", "albums", "artists", "genres", "avalon_files"]) yield* sql`DELETE FROM ${sql(table)}`
          yield* insertAll("albums", named(rows.albums))
          yield* insertAll("artists", named(rows.artists))
          yield* insertAll("genres", named(rows.genres))
          yield* insertAll("tracks", rows.songs.map((song) => ({
            id: storedId(song.id),
            name: song.name,
            length: song.length,
            track: song.track,
            year: song.year,
            album_id: storedId(song.album_id),
            artist_id: storedId(song.artist_id),
            genre_id: storedId(song.genre_id)
          })))
          yield* insertAll("avalon_files", files.map((file) => ({
            path: file.path,
            size: file.size,
            mtime_ms: file.mtimeMs,
            outcome: file.outcome,
            ...file.tags
          })))
          const { generation } = yield* latestScan
          const next = generation + 1
          yield* sql`INSERT INTO avalon_scans ${sql.insert({ generation: next, finished_at: new Date().toISOString(), root, songs: rows.songs.length })}`
          return next
        })
      ).pipe(Effect.mapError(failWith("writing the collection to")))

    return { readCollection, readGeneration, readFileStates, replaceCollection }
  })

/**
 * Each operation opens its own connection and closes it when done: the server holds no connection between
 * reloads, and a database that is down at one moment does not poison the next attempt.
 */
const make = (target: DatabaseTarget): Database["Type"] => {
  const connection = Layer.effect(Connection, connect(target)).pipe(Layer.provide(sqlClientLayer(target)))
  const using = <A>(use: (operations: Connection["Type"]) => Effect.Effect<A, DatabaseError>) =>
    Effect.provide(Effect.flatMap(Connection, use), connection)
  return Database.of({
    target,
    readCollection: using((operations) => operations.readCollection),
    readGeneration: using((operations) => operations.readGeneration),
    readFileStates: using((operations) => operations.readFileStates),
    replaceCollection: (input) => using((operations) => operations.replaceCollection(input))
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
