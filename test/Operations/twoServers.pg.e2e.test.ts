import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runAvalon } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"
import { copyFixtures, logLines, songCount, startServe, waitFor } from "./serveProcess.js"

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

const scan = (collection: string) => {
  const result = runAvalon(["scan", "-q", "-d", pg.url, collection])
  expect(result.stderr).toBe("")
  expect(result.status).toBe(0)
}

describe("growing past one machine: one PostgreSQL database, one scanner, several servers", () => {
  it("reloads every server after one scan, without a restart", async () => {
    const collection = join(folder.path, "music")
    copyFixtures(collection, ["mp3", "flac"])
    scan(collection)
    const env = { AVALON_DATABASE_URL: pg.url, AVALON_RELOAD_INTERVAL: "1" }
    const servers = await Promise.all([startServe(env, ["--port", "0"]), startServe(env, ["--port", "0", "--workers", "2"])])
    try {
      await waitFor("every worker to listen", () => logLines(servers[1].output(), /^listening on /).length === 2)
      const counts = await Promise.all(servers.map((server) => songCount(server.url("/avalon/songs"))))
      expect(counts[0]).toBe(counts[1])

      copyFixtures(collection, ["ogg", "opus"])
      scan(collection)
      expect(pg.query("SELECT max(generation) FROM avalon_scans")).toBe("2")
      for (const server of servers) {
        await waitFor("the new collection", async () => (await songCount(server.url("/avalon/songs"))) === counts[0]! + 2)
      }
      await waitFor("every process to reload", () =>
        servers.every((server, index) => logLines(server.output(), /reloaded: scan generation 1 -> 2/).length === index + 1))
      expect(logLines(servers[0].output(), /^listening on /)).toHaveLength(1)
      expect(logLines(servers[1].output(), /^listening on /)).toHaveLength(2)
    } finally {
      expect(await Promise.all(servers.map((server) => server.stop()))).toEqual([0, 0])
    }
  })
})
