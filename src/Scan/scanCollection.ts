import { resolve } from "node:path"
import { Effect, Logger, LogLevel } from "effect"
import { Database, type FileState } from "../Database/Database.js"
import { describeTarget } from "../Database/DatabaseUrl.js"
import { collectionFromFiles } from "./collectionFromFiles.js"
import { makeScanProgress } from "./ScanProgress.js"
import { ScanError } from "./ScanError.js"
import { formatScanSummary, type ScanSummary } from "./ScanSummary.js"
import { makeTagReaderPool } from "./TagReaderPool.js"
import { walkCollection } from "./walkCollection.js"

export type ScanOptions = {
  readonly root: string
  readonly full: boolean
  readonly quiet: boolean
  /** Where progress and the summary go; stderr/stdout by default. */
  readonly output?: { readonly progress: (text: string) => void; readonly summary: (text: string) => void; readonly isTTY: boolean }
}

const emptyTags = { name: "", album: "", artist: "", genre: "", track: 0, year: 0, length: 0 }

/**
 * Walks the folder, re-reads only new and changed files (all with `full`), and replaces the collection in one
 * transaction. Interrupted or failed, it leaves the previous collection as it was.
 */
export const scanCollection = (options: ScanOptions) =>
  Effect.gen(function* () {
    const startedAt = Date.now()
    const db = yield* Database
    const root = resolve(options.root)
    const output = options.output ?? {
      progress: (text: string) => process.stderr.write(text),
      summary: (text: string) => process.stdout.write(text),
      isTTY: process.stderr.isTTY === true
    }
    yield* Effect.logDebug(`scanning ${root} into ${describeTarget(db.target)}`)

    const walk = yield* Effect.tryPromise({
      try: () => walkCollection(root),
      catch: (error) => new ScanError({ message: error instanceof Error ? error.message : String(error) })
    })
    if (walk.files.length === 0 && walk.warnings.length > 0) {
      return yield* new ScanError({ message: `nothing could be read under ${root}: ${walk.warnings[0]}` })
    }
    for (const warning of walk.warnings) yield* Effect.logWarning(warning)

    const previous = options.full ? new Map<string, FileState>() : new Map((yield* db.readFileStates).map((state) => [state.path, state]))
    const progress = makeScanProgress(options.quiet ? "quiet" : output.isTTY ? "tty" : "lines", output.progress)
    progress.found(walk.files.length)

    const states = new Map<string, FileState>()
    const toRead: Array<{ path: string; size: number; mtimeMs: number }> = []
    for (const file of walk.files) {
      const known = previous.get(file.path)
      if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) states.set(file.path, known)
      else toRead.push(file)
    }
    const walked = new Set(walk.files.map((file) => file.path))
    const vanished = [...previous.keys()].filter((path) => !walked.has(path)).length

    progress.reading(toRead.length)
    const warnings: Array<string> = []
    const parsed = yield* Effect.acquireUseRelease(
      Effect.sync(() => makeTagReaderPool({})),
      (pool) =>
        Effect.tryPromise({
          try: () => {
            const byPath = new Map(toRead.map((file) => [file.path, file]))
            return pool.read(toRead, (path, outcome) => {
              const file = byPath.get(path)!
              progress.readOne()
              if (outcome.kind === "song") {
                for (const warning of outcome.warnings) warnings.push(`${path}: ${warning}`)
                states.set(path, { ...file, outcome: "song", tags: outcome.tags })
              } else {
                if (outcome.kind === "corrupt") warnings.push(`skipping corrupt file ${path}: ${outcome.reason}`)
                states.set(path, { ...file, outcome: outcome.kind, tags: emptyTags })
              }
            }).then(() => pool.parsedCount)
          },
          catch: (error) => new ScanError({ message: `reading tags failed: ${error instanceof Error ? error.message : String(error)}` })
        }),
      (pool) => Effect.promise(() => pool.close())
    )
    progress.finish()
    for (const warning of warnings) yield* Effect.logWarning(warning)

    const files = walk.files.flatMap((file) => states.get(file.path) ?? [])
    const rows = collectionFromFiles(files)
    const unchanged = !options.full && toRead.length === 0 && vanished === 0 && previous.size > 0
    if (!unchanged) progress.writing(rows.songs.length, describeTarget(db.target))
    const generation = unchanged ? undefined : yield* db.replaceCollection({ rows, files, root })

    const summary: ScanSummary = {
      root,
      elapsedMs: Date.now() - startedAt,
      filesSeen: walk.files.length,
      filesRead: toRead.length,
      tagsParsed: parsed,
      vanished,
      songs: rows.songs.length,
      albums: rows.albums.length,
      artists: rows.artists.length,
      genres: rows.genres.length,
      notAudio: files.filter((file) => file.outcome === "not-audio").length,
      corrupt: files.filter((file) => file.outcome === "corrupt").length,
      hidden: walk.hiddenSkipped,
      symlinkedFolders: walk.symlinkedFoldersSkipped,
      generation
    }
    if (!options.quiet) output.summary(formatScanSummary(summary))
    return summary
  }).pipe(
    (scan) => (options.quiet ? Logger.withMinimumLogLevel(scan, LogLevel.Error) : scan),
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        process.exitCode = 130
        process.stderr.write("avalon: scan interrupted; the previous collection is unchanged\n")
      }))
  )
