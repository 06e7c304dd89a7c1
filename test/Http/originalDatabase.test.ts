import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { startServer } from "../support/avalon.js"
import { originalRows, originalSchema } from "../support/originalAvalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

const expectedSong = {
  id: "56b33b92-d5b6-5971-b166-dc959b442c0c",
  name: "Adicción, tradición, revolución",
  length: 201,
  track: 2,
  year: 2004,
  album: "¡Uno!",
  album_id: "32792eb5-03ff-5837-9869-d77ac9b5c99f",
  artist: "Minor Threat",
  artist_id: "debcc564-211b-559c-b810-e72598bdaf47",
  genre: "Punk Ska",
  genre_id: "3af7ba62-d87f-5258-af62-d7c5655ec567"
}

describe("a database written by the original Avalon", () => {
  it("is served from SQLite (ids as 32 hex characters)", async () => {
    const filename = join(folder.path, "original.sqlite")
    const db = new Sqlite(filename)
    db.exec(originalSchema("CHAR(32)") + originalRows((id) => id.replaceAll("-", "")))
    db.close()
    const server = await startServer({ AVALON_DATABASE_URL: `sqlite:///${filename}`, AVALON_STATSD_HOST: "" })
    try {
      const body = await (await fetch(server.url("/avalon/songs?query=adiccion"))).json()
      expect(body).toEqual({ success: [expectedSong], errors: [], warnings: [] })
    } finally {
      await server.stop()
    }
  })

  it("is served from PostgreSQL (native uuid)", async () => {
    pg.query(originalSchema("uuid") + originalRows((id) => id))
    const server = await startServer({ AVALON_DATABASE_URL: pg.url.replace("postgresql://", "postgresql+psycopg2://"), AVALON_STATSD_HOST: "" })
    try {
      const body = await (await fetch(server.url("/avalon/songs?genre=punk%20ska"))).json()
      expect(body).toEqual({ success: [expectedSong], errors: [], warnings: [] })
    } finally {
      await server.stop()
    }
  })
})
