import { appendFileSync, copyFileSync, cpSync, rmSync, utimesSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Database } from "../../src/Database/Database.js"
import { databaseLayer } from "../../src/Database/DatabaseLive.js"
import { songId } from "../../src/Domain/Ids.js"
import { scanCollection } from "../../src/Scan/scanCollection.js"
import { fixturesCollection } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"
import { collectionRows } from "../../src/Domain/Collection.js"

const folder = makeTemporaryFolder()
afterAll(folder.remove)

const silent = { progress: () => {}, summary: () => {}, isTTY: false }

describe("scanCollection, incremental", () => {
  const music = join(folder.path, "music")
  cpSync(fixturesCollection, music, { recursive: true, verbatimSymlinks: true })
  const database = databaseLayer(`sqlite:///${join(folder.path, "scan.sqlite")}`)
  const scan = (full = false) => scanCollection({ root: music, full, quiet: true, output: silent, changesRetention: 100 }).pipe(Effect.provide(database))
  const stored = Effect.flatMap(Database, (db) => db.readCollection).pipe(
    Effect.map(({ columns, ...rest }) => ({ ...rest, rows: collectionRows(columns) })),
    Effect.provide(database)
  )

  let first: Record<string, unknown> = {}

  it.effect("reads every file the first time and writes generation 1", () =>
    Effect.gen(function* () {
      const summary = yield* scan()
      first = summary
      expect(summary).toMatchObject({ filesSeen: 23, filesRead: 23, tagsParsed: 23, songs: 17, notAudio: 3, corrupt: 3, hidden: 2, symlinkedFolders: 2, vanished: 0, generation: 1 })
      expect((yield* stored).rows.songs).toHaveLength(17)
    }))

  it.effect("re-reads no tags and writes nothing when nothing changed", () =>
    Effect.gen(function* () {
      const summary = yield* scan()
      expect(summary).toMatchObject({ filesSeen: 23, filesRead: 0, tagsParsed: 0, songs: 17, generation: undefined })
      // Counted from the stored stamps and tables, it reports what the first scan did.
      const { elapsedMs: _a, filesRead: _b, tagsParsed: _c, generation: _d, ...counts } = summary
      expect(first).toMatchObject(counts)
      expect((yield* stored).generation).toBe(1)
    }))

  it.effect("picks up new, changed and deleted files, reading only those", () =>
    Effect.gen(function* () {
      copyFileSync(join(music, "flac", "lossless.flac"), join(music, "flac", "copy.flac"))
      appendFileSync(join(music, "ogg", "vorbis.ogg"), Buffer.alloc(16))
      rmSync(join(music, "wma", "asf.wma"))
      const summary = yield* scan()
      expect(summary).toMatchObject({ filesSeen: 23, filesRead: 2, tagsParsed: 2, vanished: 1, songs: 17, generation: 2 })
      const { generation, rows } = yield* stored
      expect(generation).toBe(2)
      const ids = rows.songs.map((song) => song.id)
      expect(ids).toContain(songId(join(music, "flac", "copy.flac")))
      expect(ids).not.toContain(songId(join(music, "wma", "asf.wma")))
    }))

  it.effect("notices a changed modification time even when the size is the same", () =>
    Effect.gen(function* () {
      utimesSync(join(music, "flac", "copy.flac"), new Date(), new Date(Date.now() - 3_600_000))
      expect(yield* scan()).toMatchObject({ filesRead: 1, tagsParsed: 1, generation: 3 })
    }))

  it.effect("re-reads everything with --full", () =>
    Effect.gen(function* () {
      expect(yield* scan(true)).toMatchObject({ filesSeen: 23, filesRead: 23, tagsParsed: 23, generation: 4 })
    }))
})
