import { spawn } from "node:child_process"
import { copyFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { avalonBin, cleanEnv, fixturesCollection, runAvalon } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

const songsPerPart = 200
const sources = ["flac/lossless.flac", "ogg/vorbis.ogg", "mp3/id3v2.3.mp3"].map((file) => join(fixturesCollection, file))

const addPart = (root: string, part: string) => {
  for (let i = 0; i < songsPerPart; i++) {
    const dir = join(root, part, `album-${Math.floor(i / 20)}`)
    mkdirSync(dir, { recursive: true })
    const source = sources[i % sources.length]!
    copyFileSync(source, join(dir, `${i}${source.slice(source.lastIndexOf("."))}`))
  }
}

type Snapshot = { readonly generation: number; readonly tracks: number; readonly recorded: number; readonly orphans: number }

const snapshotQuery = `SELECT
  (SELECT coalesce(max(generation), 0) FROM avalon_scans) AS generation,
  (SELECT count(*) FROM tracks) AS tracks,
  (SELECT coalesce(max(songs), 0) FROM avalon_scans WHERE generation = (SELECT max(generation) FROM avalon_scans)) AS recorded,
  (SELECT count(*) FROM tracks WHERE album_id NOT IN (SELECT id FROM albums)) AS orphans`

const databases: ReadonlyArray<readonly [string, string, () => Snapshot]> = [
  ["SQLite", `sqlite:///${join(folder.path, "killed.sqlite")}`, () => {
    const db = new Sqlite(join(folder.path, "killed.sqlite"), { readonly: true })
    try {
      return db.prepare(snapshotQuery).get() as Snapshot
    } finally {
      db.close()
    }
  }],
  ["PostgreSQL", pg.url, () => {
    const [generation, tracks, recorded, orphans] = pg.query(snapshotQuery.replaceAll("\n", " ")).split("|").map(Number)
    return { generation: generation!, tracks: tracks!, recorded: recorded!, orphans: orphans! }
  }]
]

type Moment = "files found" | "writing"

const killScanAfter = (databaseUrl: string, root: string, signal: NodeJS.Signals, anchor: Moment, delayMs: number) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [avalonBin, "scan", "--full", "-d", databaseUrl, root], { env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    let timer: NodeJS.Timeout | undefined
    // Count from a moment the scan reports: reading started, or the write transaction about to begin.
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      if (timer === undefined && stderr.includes(anchor)) timer = setTimeout(() => child.kill(signal), delayMs)
    })
    child.once("exit", (code, exitSignal) => {
      clearTimeout(timer)
      resolve({ code, signal: exitSignal, stderr })
    })
  })

describe.each(databases)("a scan killed at random moments (%s)", (name, databaseUrl, snapshot) => {
  const root = join(folder.path, `music-${name}`)

  it("always leaves the previous or the new complete collection, and the next scan succeeds", async () => {
    addPart(root, "a")
    expect(runAvalon(["scan", "-q", "-d", databaseUrl, root]).status).toBe(0)
    expect(snapshot()).toEqual({ generation: 1, tracks: songsPerPart, recorded: songsPerPart, orphans: 0 })
    addPart(root, "b")

    let previous = snapshot()
    const outcomes: Array<string> = []
    const moments: ReadonlyArray<readonly [NodeJS.Signals, Moment, number]> = [
      ["SIGKILL", "files found", 0],
      ["SIGINT", "files found", 50],
      ["SIGKILL", "writing", 0],
      ["SIGINT", "writing", 0],
      ["SIGKILL", "writing", 25],
      ["SIGKILL", "files found", 3000]
    ]
    for (const [signal, anchor, delay] of moments) {
      const run = await killScanAfter(databaseUrl, root, signal, anchor, delay)
      const now = snapshot()
      const kept = now.generation === previous.generation
      expect(now.orphans).toBe(0)
      expect(now.tracks).toBe(now.recorded)
      expect(now.tracks).toBe(kept ? previous.tracks : 2 * songsPerPart)
      if (!kept) expect(now.generation).toBe(previous.generation + 1)
      if (signal === "SIGINT" && kept) {
        expect(run.code).toBe(130)
        expect(run.stderr).toContain("scan interrupted; the previous collection is unchanged")
      }
      outcomes.push(`${signal} ${delay} ms after "${anchor}": ${kept ? "kept previous" : "new complete"}`)
      previous = now
    }
    console.info(`${name}: ${outcomes.join(", ")}`)

    expect(runAvalon(["scan", "-q", "-d", databaseUrl, root]).status).toBe(0)
    const final = snapshot()
    expect(final.tracks).toBe(2 * songsPerPart)
    expect(final.recorded).toBe(2 * songsPerPart)
  })
})
