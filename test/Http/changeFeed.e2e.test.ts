import { copyFileSync, cpSync, renameSync, rmSync, utimesSync } from "node:fs"
import http, { type IncomingHttpHeaders } from "node:http"
import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { songId } from "../../src/Domain/Ids.js"
import { fixturesCollection, runAvalon, type ServeProcess, startServer } from "../support/avalon.js"
import { originalRows, originalSchema } from "../support/originalAvalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
afterAll(folder.remove)

type Lists = { added: Array<string>; changed: Array<string>; removed: Array<string> }
const kinds = ["songs", "albums", "artists", "genres"] as const
type Kind = (typeof kinds)[number]
type Changes = Record<Kind, Lists>
type Snapshot = Record<Kind, Map<string, string>>

const scan = (url: string, music: string, args: ReadonlyArray<string> = []) => {
  const result = runAvalon(["scan", ...args, "-d", url, music], { AVALON_CHANGES_RETENTION: "3" })
  expect(result.status).toBe(0)
  if (args.includes("-q")) expect(result.stderr).toBe("")
  return result.stdout
}

/** One request on its own connection: scans take longer than the server keeps an idle connection open. */
const request = (server: ServeProcess, path: string) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    http.get(server.url(path), { agent: false }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() }))
    }).on("error", reject)
  })

const get = async (server: ServeProcess, path: string) => {
  const { headers, status, text } = await request(server, `/avalon/${path}`)
  return { status, generation: headers["x-avalon-generation"] ?? null, body: JSON.parse(text) as { success: unknown; errors: Array<object> } }
}

/** Reloads the server (as a newer generation would within RELOAD_INTERVAL) and waits until it serves `generation`. */
const waitForGeneration = async (server: ServeProcess, generation: number) => {
  expect((await request(server, "/avalon/heartbeat")).text).toBe("OKOKOK") // loaded, so SIGHUP is handled
  server.signal("SIGHUP")
  for (const started = Date.now(); Date.now() - started < 20_000; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if ((await get(server, "genres")).generation === String(generation)) return
  }
  throw new Error(`the server did not load generation ${generation}:\n${server.output()}`)
}

/** Everything a client downloads in a full sync, by id; a song without its album/artist/genre names (not its row). */
const download = async (server: ServeProcess): Promise<Snapshot> => {
  const snapshot = {} as Snapshot
  for (const kind of kinds) {
    const objects = (await get(server, kind)).body.success as Array<Record<string, unknown> & { id: string }>
    snapshot[kind] = new Map(objects.map(({ album, artist, genre, ...row }) => [row.id, JSON.stringify(kind === "songs" ? row : { album, artist, genre, ...row })]))
  }
  return snapshot
}

/** What a client that synced at `then` must learn to hold `now`. */
const difference = (then: Snapshot, now: Snapshot): Changes => {
  const changes = {} as Changes
  for (const kind of kinds) {
    const [before, after] = [then[kind], now[kind]]
    changes[kind] = {
      added: [...after.keys()].filter((id) => !before.has(id)).sort(),
      changed: [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id)).sort(),
      removed: [...before.keys()].filter((id) => !after.has(id)).sort()
    }
  }
  return changes
}

const changesSince = async (server: ServeProcess, since: number) => {
  const { body, generation, status } = await get(server, `changes?since=${since}`)
  expect(status).toBe(200)
  expect(body.errors).toEqual([])
  const success = body.success as { generation: number; since: number } & Changes
  expect(success.generation).toBe(Number(generation))
  expect(success.since).toBe(since)
  return { generation: success.generation, songs: success.songs, albums: success.albums, artists: success.artists, genres: success.genres }
}

const fullSyncRequired = async (server: ServeProcess, since: number, oldest: number, generation: number) => {
  const { body, status } = await get(server, `changes?since=${since}`)
  expect(status).toBe(410)
  expect(body).toEqual({
    success: null,
    errors: [{
      code: 11,
      message: `Changes since generation ${since} are not available (only since generations ${oldest} to ${generation}): download the whole collection again`,
      message_key: "avalon.service.error.full_sync_required",
      payload: { since, oldest, generation }
    }],
    warnings: []
  })
}

const none: Lists = { added: [], changed: [], removed: [] }

/** Scans, changes the collection, re-scans, and checks the feed against full downloads at each generation. */
const followsTheCollection = async (url: string, name: string, countLogged: () => number) => {
  const music = join(folder.path, name)
  cpSync(fixturesCollection, music, { recursive: true, verbatimSymlinks: true })
  scan(url, music, ["-q"])
  const server = await startServer({ AVALON_DATABASE_URL: url, AVALON_RELOAD_INTERVAL: "0" })
  const snapshots: Array<Snapshot> = []
  /** Re-scans, waits for the server to serve that generation, and downloads everything from it. */
  const rescan = async (generation: number, args: ReadonlyArray<string> = []) => {
    scan(url, music, ["-q", ...args])
    await waitForGeneration(server, generation)
    snapshots[generation] = await download(server)
  }
  try {
    await waitForGeneration(server, 1)
    snapshots[1] = await download(server)
    expect(await changesSince(server, 1)).toEqual({ generation: 1, songs: none, albums: none, artists: none, genres: none })
    await fullSyncRequired(server, 0, 1, 1)

    // Generation 2: a new file, a file whose tags changed (another fixture copied over it), a deleted file.
    copyFileSync(join(music, "flac", "lossless.flac"), join(music, "flac", "copy.flac"))
    copyFileSync(join(music, "mp3", "id3v1-only.mp3"), join(music, "mp3", "id3v2.2.mp3"))
    rmSync(join(music, "wma", "asf.wma"))
    await rescan(2)
    const second = await changesSince(server, 1)
    expect(second.songs).toEqual({
      added: [songId(join(music, "flac", "copy.flac"))],
      changed: [songId(join(music, "mp3", "id3v2.2.mp3"))],
      removed: [songId(join(music, "wma", "asf.wma"))]
    })
    expect(second.albums.removed).toHaveLength(2) // First Two Seven Inches, Discovery
    expect(second).toEqual({ generation: 2, ...difference(snapshots[1]!, snapshots[2]!) })

    // Generation 3: a renamed file (one song gone, another new) and the file added in 2 deleted again.
    renameSync(join(music, "m4a", "aac.m4a"), join(music, "m4a", "renamed.m4a"))
    rmSync(join(music, "flac", "copy.flac"))
    await rescan(3)
    const sinceFirst = await changesSince(server, 1)
    expect(sinceFirst.songs.removed).toContain(songId(join(music, "m4a", "aac.m4a")))
    expect(JSON.stringify(sinceFirst)).not.toContain(songId(join(music, "flac", "copy.flac"))) // added, then removed
    expect(sinceFirst).toEqual({ generation: 3, ...difference(snapshots[1]!, snapshots[3]!) })
    expect((await changesSince(server, 2)).songs.removed).toContain(songId(join(music, "flac", "copy.flac")))
    expect(await changesSince(server, 2)).toEqual({ generation: 3, ...difference(snapshots[2]!, snapshots[3]!) })

    // An unchanged re-scan writes nothing at all, not even to the change log.
    const logged = countLogged()
    expect(scan(url, music)).toContain("collection unchanged, nothing written")
    expect(countLogged()).toBe(logged)

    // A full re-scan of the same files is a new generation with no change.
    await rescan(4, ["--full"])
    expect(await changesSince(server, 3)).toEqual({ generation: 4, songs: none, albums: none, artists: none, genres: none })
    expect(await changesSince(server, 1)).toEqual({ generation: 4, ...difference(snapshots[1]!, snapshots[3]!) })

    // CHANGES_RETENTION = 3: generation 5 pushes generation 1 out of reach.
    utimesSync(join(music, "ogg", "vorbis.ogg"), new Date(), new Date(Date.now() - 3_600_000))
    await rescan(5)
    await fullSyncRequired(server, 1, 2, 5)
    await fullSyncRequired(server, 6, 2, 5)
    expect(await changesSince(server, 2)).toEqual({ generation: 5, ...difference(snapshots[2]!, snapshots[3]!) })

    const missing = await get(server, "changes")
    expect(missing.status).toBe(400)
    expect(missing.body.errors).toEqual([{ code: 102, message: "The parameter since is required", message_key: "avalon.service.error.invalid_input_value", payload: { field: "since" } }])
    expect((await get(server, "changes?since=two")).body.errors).toMatchObject([{ code: 101, payload: { field: "since", value: "two" } }])
  } finally {
    await server.stop()
  }
}

describe("GET changes?since=", () => {
  it("follows a collection scanned into SQLite", async () => {
    const file = join(folder.path, "feed.sqlite")
    await followsTheCollection(`sqlite:///${file}`, "sqlite-music", () => {
      const db = new Sqlite(file, { readonly: true })
      const { count } = db.prepare("SELECT (SELECT count(*) FROM avalon_changes) + (SELECT count(*) FROM avalon_scans) AS count").get() as { count: number }
      db.close()
      return count
    })
  })

  it("follows a collection scanned into PostgreSQL", async () => {
    const pg = createTemporaryPgDatabase()
    try {
      await followsTheCollection(pg.url, "pg-music", () => Number(pg.query("SELECT (SELECT count(*) FROM avalon_changes) + (SELECT count(*) FROM avalon_scans)")))
    } finally {
      pg.drop()
    }
  })

  it("starts with the first scan into a database written by the original Avalon", async () => {
    const file = join(folder.path, "original.sqlite")
    const original = new Sqlite(file)
    original.exec(originalSchema("CHAR(32)") + originalRows((id) => id.replaceAll("-", "")))
    original.close()
    const url = `sqlite:///${file}`
    const server = await startServer({ AVALON_DATABASE_URL: url, AVALON_RELOAD_INTERVAL: "0" })
    try {
      expect((await get(server, "songs")).generation).toBe("0")
      expect(await changesSince(server, 0)).toEqual({ generation: 0, songs: none, albums: none, artists: none, genres: none })
      scan(url, fixturesCollection, ["-q"])
      await waitForGeneration(server, 1)
      // The original's rows were never a generation of ours: a client holding them must download everything.
      await fullSyncRequired(server, 0, 1, 1)
      expect(await changesSince(server, 1)).toEqual({ generation: 1, songs: none, albums: none, artists: none, genres: none })
    } finally {
      await server.stop()
    }
  })

  it("serves a database of the previous version as it is, and the next scan adds the change log", async () => {
    const pg = createTemporaryPgDatabase()
    const music = join(folder.path, "previous-version")
    cpSync(fixturesCollection, music, { recursive: true, verbatimSymlinks: true })
    try {
      scan(pg.url, music, ["-q"])
      scan(pg.url, music, ["-q", "--full"])
      // What the previous version of Avalon left: schema migrations 1 and 2 only.
      pg.query("DROP TABLE avalon_changes; ALTER TABLE avalon_scans DROP COLUMN changes; DELETE FROM avalon_migrations WHERE migration_id = 3")
      const server = await startServer({ AVALON_DATABASE_URL: pg.url, AVALON_RELOAD_INTERVAL: "0" })
      try {
        await waitForGeneration(server, 2)
        expect(await changesSince(server, 2)).toEqual({ generation: 2, songs: none, albums: none, artists: none, genres: none })
        await fullSyncRequired(server, 1, 2, 2)
        expect(pg.query("SELECT max(migration_id) FROM avalon_migrations")).toBe("2")

        rmSync(join(music, "wma", "asf.wma"))
        scan(pg.url, music, ["-q"])
        await waitForGeneration(server, 3)
        expect(pg.query("SELECT max(migration_id) FROM avalon_migrations")).toBe("3")
        expect((await changesSince(server, 2)).songs).toEqual({ added: [], changed: [], removed: [songId(join(music, "wma", "asf.wma"))] })
      } finally {
        await server.stop()
      }
    } finally {
      pg.drop()
    }
  })
})
