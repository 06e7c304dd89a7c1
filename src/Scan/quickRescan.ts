import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { resolve } from "node:path"
import type BetterSqlite3 from "better-sqlite3"
import { Either } from "effect"
import { resolveSettings } from "../Config/AppConfig.js"
import { parseDatabaseUrl } from "../Database/DatabaseUrl.js"
import { fileStampsFromRows, fileStampsQuery, namedCountsFromRow, namedCountsQuery, type NamedCountsRow } from "../Database/fileStampRows.js"
import { latestMigrationId, migrationsTable } from "../Database/migrationIds.js"
import { compileLogFormat } from "../Observability/formatLogLine.js"
import { quickScanArgs } from "./quickScanArgs.js"
import { scanInterruptedLine } from "./ScanError.js"
import { makeScanProgress } from "./ScanProgress.js"
import { formatScanSummary } from "./ScanSummary.js"
import { stampsMatch } from "./stampsMatch.js"
import { type UnchangedCounts, unchangedSummary } from "./unchangedSummary.js"
import { walkCollection } from "./walkCollection.js"
import { handOverWalk } from "./walkHandoff.js"

export type QuickRescanOutcome = { readonly done: true } | { readonly done: false; readonly reason: string }

export type QuickRescanOutput = { readonly progress: (text: string) => void; readonly summary: (text: string) => void; readonly isTTY: boolean }

const declined = (reason: string): QuickRescanOutcome => ({ done: false, reason })

const require = createRequire(import.meta.url)

/** The stamps of the latest scan, read in one transaction, or why the database cannot give them as they are. */
const readStamps = (filename: string): UnchangedCounts | "schema" | "database error" => {
  let opened: BetterSqlite3.Database | undefined
  try {
    const Sqlite: typeof BetterSqlite3 = require("better-sqlite3")
    // Busy (another scan is writing): the program, which waits for its turn, takes over at once.
    const db = (opened = new Sqlite(filename, { readonly: true, fileMustExist: true, timeout: 0 }))
    const version = db.prepare(`SELECT max(migration_id) AS latest FROM ${migrationsTable}`).get() as { latest: number | null } | undefined
    // An older schema is brought up to date by the full scan (a newer one is not ours to read).
    if (version?.latest !== latestMigrationId) return "schema"
    return db.transaction(() => ({
      files: fileStampsFromRows(db.prepare(fileStampsQuery).raw().all() as ReadonlyArray<ReadonlyArray<unknown>>),
      ...namedCountsFromRow(db.prepare(namedCountsQuery).get() as NamedCountsRow | undefined)
    }))()
  } catch {
    return "database error"
  } finally {
    opened?.close()
  }
}

/**
 * `avalon scan` of an unchanged collection into SQLite, before (and instead of) loading the program: most
 * re-scans find nothing changed, and then walking the folder and reading the stored stamps is all there is to
 * do, which the whole program (CLI, configuration and database layers) would take longer to start than to do.
 * It prints exactly what the full scan would. Whenever anything differs from that plain case (other arguments,
 * a configuration to report on, PostgreSQL, an outdated schema, a warning to log, a changed file) it declines,
 * handing over its walk if it made one, and the full program runs as if it had never been tried.
 * `AVALON_QUICK_RESCAN=off` turns it off.
 */
export const quickRescan = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  output: QuickRescanOutput = {
    progress: (text) => process.stderr.write(text),
    summary: (text) => process.stdout.write(text),
    isTTY: process.stderr.isTTY === true
  }
): Promise<QuickRescanOutcome> => {
  if (env["AVALON_QUICK_RESCAN"] === "off") return declined("turned off")
  const args = quickScanArgs(argv.slice(2))
  if (args === undefined) return declined("arguments")
  const settings = resolveSettings(env, args.database === undefined ? {} : { DATABASE_URL: args.database })
  if (Either.isLeft(settings)) return declined("configuration error")
  const { LOG_LEVEL, LOG_PATH } = settings.right
  // The full scan logs at debug level, and opens (creates) a log file even to write nothing.
  if (LOG_LEVEL === "DEBUG" || LOG_PATH !== "" || compileLogFormat(settings.right).problems.length > 0) return declined("logging")
  const target = parseDatabaseUrl(settings.right.DATABASE_URL)
  if (Either.isLeft(target) || target.right.dialect !== "sqlite" || !existsSync(target.right.filename)) return declined("database")

  const startedAt = Date.now()
  const interrupted = () => {
    process.stderr.write(scanInterruptedLine)
    process.exit(130)
  }
  process.once("SIGINT", interrupted)
  process.once("SIGTERM", interrupted)
  try {
    let walk
    try {
      walk = await walkCollection(resolve(args.root))
    } catch {
      return declined("collection folder")
    }
    if (walk.warnings.length > 0) {
      handOverWalk(walk)
      return declined("warnings")
    }
    const stamps = readStamps(target.right.filename)
    if (typeof stamps === "string" || !stampsMatch(walk.files, stamps.files)) {
      handOverWalk(walk)
      return declined(typeof stamps === "string" ? stamps : "changed")
    }
    const progress = makeScanProgress(args.quiet ? "quiet" : output.isTTY ? "tty" : "lines", output.progress)
    progress.found(walk.files.length)
    progress.reading(0)
    progress.finish()
    if (!args.quiet) output.summary(formatScanSummary(unchangedSummary(walk, stamps, Date.now() - startedAt)))
    return { done: true }
  } finally {
    process.off("SIGINT", interrupted)
    process.off("SIGTERM", interrupted)
  }
}
