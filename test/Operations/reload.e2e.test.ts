import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runAvalon } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"
import { copyFixtures, logLines, runAvalonAsync, songCount, startLoad, startServe, waitFor } from "./serveProcess.js"

const folder = makeTemporaryFolder()
afterAll(() => folder.remove())

const scan = (databaseUrl: string, collection: string) => {
  const result = runAvalon(["scan", "-q", "-d", databaseUrl, collection])
  expect(result.stderr).toBe("")
  expect(result.status).toBe(0)
}

describe("live reload", () => {
  it("picks up a re-scan within RELOAD_INTERVAL in every worker, with no failed request under load", async () => {
    const collection = join(folder.path, "polled")
    const databaseUrl = `sqlite:///${join(folder.path, "polled.sqlite")}`
    copyFixtures(collection, ["mp3"])
    scan(databaseUrl, collection)
    const server = await startServe({ AVALON_DATABASE_URL: databaseUrl, AVALON_RELOAD_INTERVAL: "1" }, ["--port", "0", "--workers", "2"])
    try {
      await waitFor("both workers to listen", () => logLines(server.output(), /^listening on /).length === 2)
      const workers = new Set(logLines(server.output(), /^listening on /).map((line) => line.pid))
      const songs = server.url("/avalon/songs")
      const before = await songCount(songs)

      const load = startLoad(songs)
      copyFixtures(collection, ["flac", "ogg", "opus"])
      const rescan = await runAvalonAsync(["scan", "-q", "-d", databaseUrl, collection])
      expect(rescan).toEqual({ status: 0, stderr: "" })
      await waitFor("every worker to reload", () =>
        new Set(logLines(server.output(), /reloaded: scan generation 1 -> 2/).map((line) => line.pid)).size === 2)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const result = await load.stop()

      const after = await songCount(songs)
      expect(after).toBe(before + 3)
      for (let i = 0; i < 4; i++) expect(await songCount(songs)).toBe(after)
      expect(result.failures).toEqual([])
      expect(result.requests).toBeGreaterThan(20)
      expect([...result.songCounts].every((count) => count === before || count === after)).toBe(true)
      expect(new Set(logLines(server.output(), /reloaded: scan generation/).map((line) => line.pid))).toEqual(workers)
      expect(logLines(server.output(), /^listening on /)).toHaveLength(2)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it("reloads on SIGHUP only when polling is off, and keeps the old catalog when a reload fails", async () => {
    const collection = join(folder.path, "hangup")
    const databaseFile = join(folder.path, "hangup.sqlite")
    const databaseUrl = `sqlite:///${databaseFile}`
    copyFixtures(collection, ["mp3"])
    scan(databaseUrl, collection)
    const server = await startServe({ AVALON_DATABASE_URL: databaseUrl, AVALON_RELOAD_INTERVAL: "0" }, ["--port", "0"])
    try {
      const songs = server.url("/avalon/songs")
      const before = await songCount(songs)
      copyFixtures(collection, ["flac"])
      scan(databaseUrl, collection)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(await songCount(songs)).toBe(before)

      server.signal("SIGHUP")
      await waitFor("the reload", () => /reloaded on SIGHUP: .*\(generation 2\)/.test(server.output()))
      expect(await songCount(songs)).toBe(before + 1)

      writeFileSync(databaseFile, "this is not a database, this is a test ".repeat(100))
      server.signal("SIGHUP")
      await waitFor("the failed reload", () => /reload failed, still serving the previous collection: /.test(server.output()))
      expect(await songCount(songs)).toBe(before + 1)
      expect(await (await fetch(server.url("/avalon/heartbeat"))).text()).toBe("OKOKOK")
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
