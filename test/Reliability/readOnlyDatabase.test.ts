import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { fixturesCollection, runAvalon, startServer } from "../support/avalon.js"
import { createTemporaryPgDatabase, pgAdminUrl } from "../support/postgres.js"

const pg = createTemporaryPgDatabase()
const reader = `avalon_reader_${randomBytes(4).toString("hex")}`
const admin = (sql: string) => execFileSync("psql", [pgAdminUrl, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql], { encoding: "utf8" })
afterAll(() => {
  pg.drop()
  admin(`DROP ROLE IF EXISTS ${reader}`)
})

describe("a database the server may only read", () => {
  const readerUrl = pg.url.replace(/\/\/[^@/]+@/, `//${reader}:hunter2@`)

  it("is served as it is: the server never writes", async () => {
    expect(runAvalon(["scan", "-q", "-d", pg.url, fixturesCollection]).status).toBe(0)
    admin(`CREATE ROLE ${reader} LOGIN PASSWORD 'hunter2'`)
    pg.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}`)
    const server = await startServer({ AVALON_DATABASE_URL: readerUrl, AVALON_STATSD_HOST: "" })
    try {
      expect(await (await fetch(server.url("/avalon/heartbeat"))).text()).toBe("OKOKOK")
      const songs = (await (await fetch(server.url("/avalon/songs"))).json()) as { success: Array<unknown> }
      expect(songs.success).toHaveLength(17)
      expect(server.output()).not.toContain("hunter2")
    } finally {
      await server.stop()
    }
  })

  it("makes a scan fail with one clear line, without the password", () => {
    const result = runAvalon(["scan", "-q", "--full", "-d", readerUrl, fixturesCollection])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`^avalon: writing the collection to PostgreSQL database postgresql://${reader}:\\*\\*\\*@.* failed: permission denied for table \\w+\\n$`))
    expect(pg.query("SELECT count(*) FROM tracks")).toBe("17")
  })
})
