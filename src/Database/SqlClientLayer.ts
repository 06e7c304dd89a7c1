import { existsSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Redacted } from "effect"
import { DatabaseError } from "./DatabaseError.js"
import { describeTarget, inMemoryFilename, type DatabaseTarget } from "./DatabaseUrl.js"
import { describeSqlError } from "./describeSqlError.js"

/** A driver module, its failure to load (a broken install: a native module missing or built for another Node) a `DatabaseError`. */
export const loadDriver = <A>(name: string, load: () => Promise<A>) =>
  Effect.tryPromise({
    try: load,
    catch: (error) => new DatabaseError({ message: `cannot load the ${name} driver (reinstall with \`npm ci\`): ${describeSqlError(error)}`, cause: error })
  })

const openSqlite = (filename: string) =>
  Effect.gen(function* () {
    const folder = dirname(filename)
    if (filename !== inMemoryFilename && !existsSync(folder)) {
      return yield* new DatabaseError({ message: `cannot open SQLite database ${filename}: folder ${folder} does not exist` })
    }
    if (filename !== inMemoryFilename && existsSync(filename) && statSync(filename).isDirectory()) {
      return yield* new DatabaseError({ message: `cannot open SQLite database ${filename}: it is a folder` })
    }
    // Each driver is loaded only for its dialect (PostgreSQL's is the larger).
    const { SqliteClient } = yield* loadDriver("SQLite", () => import("@effect/sql-sqlite-node"))
    return yield* SqliteClient.make({ filename }).pipe(
      Effect.catchAllDefect((defect) =>
        new DatabaseError({ message: `cannot open SQLite database ${filename}: ${describeSqlError(defect)}`, cause: defect }))
    )
  })

const openPostgres = (url: string, target: DatabaseTarget) =>
  Effect.flatMap(loadDriver("PostgreSQL", () => import("@effect/sql-pg")), ({ PgClient }) => PgClient.make({ url: Redacted.make(url), maxConnections: 4, connectTimeout: Duration.seconds(5), applicationName: "avalon" }).pipe(
    Effect.mapError((error) =>
      new DatabaseError({ message: `cannot connect to ${describeTarget(target)}: ${describeSqlError(error)}`, cause: error }))
  ))

/** The `SqlClient` for a parsed DATABASE_URL, with failures mapped to one clear `DatabaseError`. */
export const sqlClientLayer = (target: DatabaseTarget): Layer.Layer<SqlClient.SqlClient, DatabaseError> =>
  Layer.scoped(
    SqlClient.SqlClient,
    target.dialect === "sqlite" ? openSqlite(target.filename) : openPostgres(target.url, target)
  ).pipe(Layer.provide(Reactivity.layer))
