import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, copyFileSync, linkSync, mkdirSync, renameSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { avalonBin, cleanEnv, fixturesCollection } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder("avalon-hostile-fs-")
chmodSync(folder.path, 0o755)
// `rm` copes with a tree deeper than PATH_MAX, `fs.rmSync` does not.
afterAll(() => execFileSync("rm", ["-rf", folder.path]))

const peakMemoryScript = fileURLToPath(new URL("../support/reportPeakMemory.mjs", import.meta.url))
const runningAsRoot = process.getuid?.() === 0

type Scan = {
  readonly status: number | null
  readonly seen: number
  readonly read: number
  readonly gone: number
  readonly songs: number
  readonly warnings: ReadonlyArray<string>
  readonly peakRssKB: number
  readonly stderr: string
}

const scanArgs = (collection: string, database: string) => ["--import", peakMemoryScript, avalonBin, "scan", "-d", `sqlite:///${database}`, collection]

const parseScan = (status: number | null, stdout: string, stderr: string): Scan => {
  const summary = /^Scanned .* in [\d.]+ s: (\d+) files seen, (\d+) read, (\d+) gone\nSongs written: (\d+)/m.exec(stdout)
  if (summary === null) throw new Error(`no scan summary (exit ${status}):\n${stdout}${stderr}`)
  return {
    status,
    seen: Number(summary[1]),
    read: Number(summary[2]),
    gone: Number(summary[3]),
    songs: Number(summary[4]),
    warnings: stderr.split("\n").flatMap((line) => /\[WARNING\] (.*)$/.exec(line)?.[1] ?? []),
    peakRssKB: Number(/^peak RSS (\d+) KB$/m.exec(stderr)?.[1]),
    stderr
  }
}

/** `avalon scan` of `collection` into the SQLite file `database`, reporting its peak memory. */
const scan = (collection: string, database: string, user: { readonly uid?: number; readonly gid?: number } = {}): Scan => {
  const result = spawnSync(process.execPath, scanArgs(collection, database), { env: cleanEnv(), encoding: "utf8", timeout: 120_000, ...user })
  return parseScan(result.status, result.stdout, result.stderr)
}

const storedSongs = (database: string): { readonly ids: ReadonlyArray<string>; readonly paths: ReadonlyArray<string>; readonly recorded: number } => {
  const db = new Sqlite(database, { readonly: true })
  try {
    return {
      ids: db.prepare<[], { id: string }>("SELECT id FROM tracks ORDER BY id").all().map((row) => row.id),
      paths: db.prepare<[], { path: string }>("SELECT path FROM avalon_files ORDER BY path").all().map((row) => row.path),
      recorded: db.prepare<[], { songs: number }>("SELECT songs FROM avalon_scans ORDER BY generation DESC LIMIT 1").get()!.songs
    }
  } finally {
    db.close()
  }
}

/** UUID v5 (SHA-1) of raw bytes in the song namespace, as SQLite stores it: written here from RFC 4122 alone. */
const songIdOfBytes = (bytes: Buffer): string => {
  const hash = createHash("sha1").update(Buffer.from("4151ace36a9841cda3de8c242654cb67", "hex")).update(bytes).digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  return hash.subarray(0, 16).toString("hex")
}

const latin1 = (text: string): Buffer => Buffer.from(text, "latin1")

describe("file names that are not UTF-8", () => {
  it("are scanned like any other: a folder holding only such files, ids from the path's bytes, stable re-scans", () => {
    const collection = join(folder.path, "latin1")
    const album = latin1(`${collection}/Caf\xe9 Tacuba`)
    mkdirSync(album, { recursive: true })
    const files = [latin1(`${collection}/Caf\xe9 Tacuba/01 \xe9l.mp3`), latin1(`${collection}/Caf\xe9 Tacuba/02 back\\slash \xff.flac`)]
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), files[0]!)
    copyFileSync(join(fixturesCollection, "flac/lossless.flac"), files[1]!)
    const database = join(folder.path, "latin1.sqlite")

    const first = scan(collection, database)
    expect(first).toMatchObject({ status: 0, seen: 2, read: 2, songs: 2, warnings: [] })
    const stored = storedSongs(database)
    expect(stored.ids).toEqual(files.map(songIdOfBytes).sort())
    expect(stored.paths).toEqual([`bytes:${collection}/Caf\\xe9 Tacuba/01 \\xe9l.mp3`, `bytes:${collection}/Caf\\xe9 Tacuba/02 back\\\\slash \\xff.flac`])

    expect(scan(collection, database)).toMatchObject({ status: 0, seen: 2, read: 0, gone: 0, songs: 2, warnings: [] })
    rmSync(files[1]!)
    expect(scan(collection, database)).toMatchObject({ status: 0, seen: 1, read: 0, gone: 1, songs: 1, warnings: [] })
    expect(storedSongs(database).ids).toEqual([songIdOfBytes(files[0]!)])
  })
})

describe.runIf(process.platform === "linux")("very deep trees", () => {
  it("are walked to near PATH_MAX; a folder past it is one warning, not a failure", () => {
    const pathMax = 4096
    const root = join(folder.path, "deep")
    const level = (i: number) => `level-${String(i).padStart(3, "0")}-`.padEnd(30, "x")
    let bottom = root
    for (let i = 0; Buffer.byteLength(join(bottom, level(i), "bottom.flac")) < pathMax - 40; i++) bottom = join(bottom, level(i))
    mkdirSync(bottom, { recursive: true })
    copyFileSync(join(fixturesCollection, "flac/lossless.flac"), join(bottom, "bottom.flac"))
    // Past PATH_MAX: built under a short path, then moved to the bottom (no single call names the long path).
    let beyond = join(folder.path, "beyond")
    for (let i = 0; i < 10; i++) beyond = join(beyond, level(i))
    mkdirSync(beyond, { recursive: true })
    copyFileSync(join(fixturesCollection, "flac/lossless.flac"), join(beyond, "unreachable.flac"))
    renameSync(join(folder.path, "beyond"), join(bottom, "beyond"))

    const depth = bottom.split("/").length - root.split("/").length
    expect(depth).toBeGreaterThanOrEqual(120)
    expect(Buffer.byteLength(join(bottom, "bottom.flac"))).toBeGreaterThan(pathMax - 100)
    const result = scan(root, join(folder.path, "deep.sqlite"))
    expect(result).toMatchObject({ status: 0, seen: 1, read: 1, songs: 1 })
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(new RegExp(`^cannot read folder ${bottom}/beyond/level-.*: path too long$`))
  })
})

describe("10,000 files in one folder", () => {
  it("are all found and read, in memory that does not grow with each file", () => {
    const collection = join(folder.path, "wide")
    const album = join(collection, "one album")
    mkdirSync(album, { recursive: true })
    const source = join(album, "00000.mp3")
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), source)
    for (let i = 1; i < 10_000; i++) linkSync(source, join(album, `${String(i).padStart(5, "0")}.mp3`))

    const baseline = scan(fixturesCollection, join(folder.path, "baseline.sqlite"))
    const wide = scan(collection, join(folder.path, "wide.sqlite"))
    expect(wide).toMatchObject({ status: 0, seen: 10_000, read: 10_000, songs: 10_000, warnings: [] })
    expect(storedSongs(join(folder.path, "wide.sqlite")).recorded).toBe(10_000)
    // Measured: ~45 MB over the 23-file scan, ~4.5 KB a file (rows, file states, ids). Keeping each file's parse
    // (tens of KB) or its bytes around would pass 20 KB a file.
    const perFileKB = (wide.peakRssKB - baseline.peakRssKB) / 10_000
    console.info(`10,000 files in one folder: peak RSS ${Math.round(wide.peakRssKB / 1024)} MB, ${Math.round(baseline.peakRssKB / 1024)} MB for the 23 fixtures (${perFileKB.toFixed(1)} KB a file)`)
    expect(perFileKB).toBeLessThan(20)
    expect(scan(collection, join(folder.path, "wide.sqlite"))).toMatchObject({ status: 0, seen: 10_000, read: 0, songs: 10_000 })
  }, 180_000)
})

describe("files vanishing during a scan", () => {
  it("are reported and skipped; the scan succeeds and the next one drops them", async () => {
    const collection = join(folder.path, "vanishing")
    const kept = join(collection, "kept")
    mkdirSync(kept, { recursive: true })
    const source = join(kept, "0.mp3")
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), source)
    for (let i = 1; i < 10; i++) linkSync(source, join(kept, `${i}.mp3`))
    for (let folderIndex = 0; folderIndex < 30; folderIndex++) {
      const gone = join(collection, `gone-${folderIndex}`)
      mkdirSync(gone)
      for (let i = 0; i < 100; i++) linkSync(source, join(gone, `${i}.mp3`))
    }
    const database = join(folder.path, "vanishing.sqlite")

    // The walk is done when the scan prints how many files it will read; they are deleted then, while it reads.
    const child: ChildProcess = spawn(process.execPath, scanArgs(collection, database), { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let deleted = false
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      if (!deleted && /^3010 files found, 3010 to read$/m.test(stderr)) {
        deleted = true
        for (let folderIndex = 0; folderIndex < 30; folderIndex++) rmSync(join(collection, `gone-${folderIndex}`), { recursive: true })
      }
    })
    const status = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    const result = parseScan(status, stdout, stderr)

    expect(deleted).toBe(true)
    expect(result).toMatchObject({ status: 0, seen: 3010, read: 3010 })
    const vanished = result.warnings.filter((warning) => /^skipping corrupt file .*\/gone-\d+\/\d+\.mp3: cannot read: file vanished before it could be read$/.test(warning))
    expect(vanished).toEqual(result.warnings)
    expect(vanished.length).toBeGreaterThan(0)
    expect(result.songs + vanished.length).toBe(3010)
    expect(storedSongs(database).recorded).toBe(result.songs)

    expect(scan(collection, database)).toMatchObject({ status: 0, seen: 10, read: 0, gone: 3000, songs: 10, warnings: [] })
  }, 120_000)
})

describe("unreadable files and folders", () => {
  // Root reads through any permission: as root, the scan runs as "nobody".
  it("are a warning each; the rest is scanned", () => {
    const collection = join(folder.path, "unreadable")
    mkdirSync(join(collection, "open"), { recursive: true })
    mkdirSync(join(collection, "locked"))
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), join(collection, "open/readable.mp3"))
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), join(collection, "open/unreadable.mp3"))
    copyFileSync(join(fixturesCollection, "mp3/id3v2.3.mp3"), join(collection, "locked/inside.mp3"))
    chmodSync(collection, 0o755)
    chmodSync(join(collection, "open"), 0o755)
    chmodSync(join(collection, "open/readable.mp3"), 0o644)
    chmodSync(join(collection, "open/unreadable.mp3"), 0o000)
    chmodSync(join(collection, "locked"), 0o000)
    const shared = join(folder.path, "shared")
    mkdirSync(shared)
    chmodSync(shared, 0o777)

    const result = scan(collection, join(shared, "unreadable.sqlite"), runningAsRoot ? { uid: 65534, gid: 65534 } : {})
    expect(result).toMatchObject({ status: 0, seen: 2, songs: 1 })
    expect(result.warnings).toEqual([
      `cannot read folder ${collection}/locked: permission denied`,
      `skipping corrupt file ${collection}/open/unreadable.mp3: cannot read: permission denied`
    ])
    chmodSync(join(collection, "locked"), 0o755)
  })
})
