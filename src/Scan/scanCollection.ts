import { resolve } from "node:path"
import { Effect, Logger, LogLevel } from "effect"
import { Database, type FileState } from "../Database/Database.js"
import { describeTarget } from "../Database/DatabaseUrl.js"
import { noChanges } from "../Domain/CollectionChanges.js"
import { songId } from "../Domain/Ids.js"
import { type CollectionCounts, collectionCounts, collectionFromFiles } from "./collectionFromFiles.js"
import { makeScanProgress } from "./ScanProgress.js"
import { ScanError, scanInterruptedLine } from "./ScanError.js"
import { formatScanSummary, type ScanSummary } from "./ScanSummary.js"
import type { TagReadOutcome } from "./readTags.js"
import { songChanges } from "./songChanges.js"
import { stampsMatch } from "./stampsMatch.js"
import { makeTagReaderPool } from "./TagReaderPool.js"
import { unchangedSummary } from "./unchangedSummary.js"
import { walkCollection, type WalkedFile } from "./walkCollection.js"
import { takeHandedOverWalk } from "./walkHandoff.js"

export type ScanOptions = {
  readonly root: string
  readonly full: boolean
  readonly quiet: boolean
  /** How many scan generations of changes the database keeps for the change feed (CHANGES_RETENTION). */
  readonly changesRetention: number
  /** Where progress and the summary go; stderr/stdout by default. */
  readonly output?: { readonly progress: (text: string) => void; readonly summary: (text: string) => void; readonly isTTY: boolean }
}

const emptyTags = { name: "", album: "", artist: "", genre: "", track: 0, year: 0, length: 0 }

/** With --full, files go to the tag readers in groups of this many while the walk is still finding more. */
const filesPerHandOver = 64

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

    // The pool lives from the walk to the last tag read. With --full every file will be read: the workers start
    // at once, load their code while the folder is walked, and get files as the walk finds them. Otherwise the
    // files to read are known only once the walk is compared with the stored state, and the workers start then
    // (an unchanged re-scan starts none).
    const { walk, previous, toRead, vanished, states, songIds, parsed, warnings, progress, stored, unchangedStamps } = yield* Effect.acquireUseRelease(
      Effect.sync(() => makeTagReaderPool({})),
      (pool) =>
        Effect.gen(function* () {
          const states = new Map<string, FileState>()
          const songIds = new Map<string, string>()
          const warnings: Array<{ readonly path: string; readonly text: string }> = []
          const progress = makeScanProgress(options.quiet ? "quiet" : output.isTTY ? "tty" : "lines", output.progress)
          const handedOver = new Map<string, WalkedFile>()
          let countingProgress = false
          let readBeforeCounting = 0
          const onResult = (path: string, outcome: TagReadOutcome, id: string | undefined): void => {
            const file = handedOver.get(path)!
            if (countingProgress) progress.readOne()
            else readBeforeCounting++
            if (outcome.kind === "song") {
              for (const warning of outcome.warnings) warnings.push({ path, text: `${path}: ${warning}` })
              states.set(path, { ...file, outcome: "song", tags: outcome.tags })
              songIds.set(path, id ?? songId(path)) // now, while this thread waits for the readers, rather than after
            } else {
              if (outcome.kind === "corrupt") warnings.push({ path, text: `skipping corrupt file ${path}: ${outcome.reason}` })
              states.set(path, { ...file, outcome: outcome.kind, tags: emptyTags })
            }
          }
          const reads: Array<Promise<void>> = []
          const read = (files: ReadonlyArray<WalkedFile>): void => {
            for (const file of files) handedOver.set(file.path, file)
            const reading = pool.read(files, onResult)
            reading.catch(() => undefined) // awaited below, after the walk; until then a failure must not be "unhandled"
            reads.push(reading)
          }
          let found: Array<WalkedFile> = []
          const onFile = (file: WalkedFile): void => {
            found.push(file)
            if (found.length === filesPerHandOver) {
              read(found)
              found = []
            }
          }

          if (options.full) pool.start()
          const walk = (options.full ? undefined : takeHandedOverWalk(root)) ?? (yield* Effect.tryPromise({
            try: () => walkCollection(root, options.full ? { onFile } : {}),
            catch: (error) => new ScanError({ message: error instanceof Error ? error.message : String(error) })
          }))
          if (walk.files.length === 0 && walk.warnings.length > 0) {
            return yield* new ScanError({ message: `nothing could be read under ${root}: ${walk.warnings[0]}` })
          }
          for (const warning of walk.warnings) yield* Effect.logWarning(warning)

          if (!options.full) {
            // Most re-scans change nothing, which each file's stamp tells without its tags (and the tables give the
            // counts): the tags, most of the bytes, are read only once something did change.
            const stamps = yield* db.readFileStamps
            if (stampsMatch(walk.files, stamps.files)) {
              progress.found(walk.files.length)
              progress.reading(0)
              return {
                walk,
                previous: new Map<string, FileState>(),
                toRead: [],
                vanished: 0,
                states,
                songIds,
                parsed: 0,
                warnings,
                progress,
                stored: { generation: stamps.generation, files: new Map<string, FileState>() },
                unchangedStamps: stamps
              }
            }
          }

          // Read with --full too: the change feed compares them with what this scan finds.
          const stored = yield* db.readFileStates
          const storedByPath = new Map(stored.files.map((state) => [state.path, state]))
          const previous = options.full ? new Map<string, FileState>() : storedByPath
          progress.found(walk.files.length)

          let toRead: ReadonlyArray<WalkedFile>
          let vanished = previous.size
          if (options.full) {
            toRead = walk.files
            read(found)
          } else {
            const changed: Array<WalkedFile> = []
            for (const file of walk.files) {
              const known = previous.get(file.path)
              if (known !== undefined) vanished--
              if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) states.set(file.path, known)
              else changed.push(file)
            }
            toRead = changed
            read(changed)
          }

          progress.reading(toRead.length)
          countingProgress = true
          for (; readBeforeCounting > 0; readBeforeCounting--) progress.readOne()
          yield* Effect.tryPromise({
            try: () => Promise.all(reads),
            catch: (error) => new ScanError({ message: `reading tags failed: ${error instanceof Error ? error.message : String(error)}` })
          })
          return {
            walk,
            previous,
            toRead,
            vanished,
            states,
            songIds,
            parsed: pool.parsedCount,
            warnings,
            progress,
            stored: { generation: stored.generation, files: storedByPath },
            unchangedStamps: undefined
          }
        }),
      (pool) => Effect.promise(() => pool.close())
    )
    progress.finish()
    // In path order, whatever order the readers finished in (stable: a file's own warnings keep theirs).
    warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    for (const warning of warnings) yield* Effect.logWarning(warning.text)

    if (unchangedStamps !== undefined) {
      const summary = unchangedSummary(walk, unchangedStamps, Date.now() - startedAt)
      if (!options.quiet) output.summary(formatScanSummary(summary))
      return summary
    }
    const files = walk.files.flatMap((file) => states.get(file.path) ?? [])
    let counts: CollectionCounts
    let generation: number | undefined
    if (!options.full && toRead.length === 0 && vanished === 0 && previous.size > 0) {
      // (The stamps differed, but a scan that finished meanwhile wrote what this one found.) Nothing is written,
      // so no row (and no id) is needed, only how many there are.
      counts = collectionCounts(files)
    } else {
      const rows = collectionFromFiles(files, songIds)
      counts = { songs: rows.songs.length, albums: rows.albums.length, artists: rows.artists.length, genres: rows.genres.length }
      progress.writing(rows.songs.length, describeTarget(db.target))
      // Into an empty database, or keeping no changes, there is nothing to record.
      const recording = stored.generation > 0 && options.changesRetention > 0
      const songs = recording ? songChanges(stored.files, states, (path) => songIds.get(path) ?? songId(path)) : noChanges
      generation = yield* db.replaceCollection({
        rows,
        files,
        root,
        changes: { since: stored.generation, songs, keep: options.changesRetention }
      })
    }

    const summary: ScanSummary = {
      root,
      elapsedMs: Date.now() - startedAt,
      filesSeen: walk.files.length,
      filesRead: toRead.length,
      tagsParsed: parsed,
      vanished,
      ...counts,
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
        process.stderr.write(scanInterruptedLine)
      }))
  )
