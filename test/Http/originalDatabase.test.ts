import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { startServer } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

// The tables as the original avalon-scan (SQLAlchemy) created them, with one song from api.md's known ids.
const originalSchema = (uuid: string) => `
  CREATE TABLE albums (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE artists (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE genres (id ${uuid} NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id));
  CREATE TABLE tracks (id ${uuid} NOT NULL, name VARCHAR NOT NULL, length INTEGER NOT NULL, track INTEGER NOT NULL,
    year INTEGER NOT NULL, album_id ${uuid} NOT NULL REFERENCES albums (id), artist_id ${uuid} NOT NULL REFERENCES artists (id),
    genre_id ${uuid} NOT NULL REFERENCES genres (id), PRIMARY KEY (id));
  CREATE INDEX ix_tracks_album_id ON tracks (album_id);
  CREATE INDEX ix_tracks_artist_id ON tracks (artist_id);
  CREATE INDEX ix_tracks_genre_id ON tracks (genre_id);`

const rows = (id: (hyphenated: string) => string) => `
  INSERT INTO albums VALUES ('${id("32792eb5-03ff-5837-9869-d77ac9b5c99f")}', '¡Uno!');
  INSERT INTO artists VALUES ('${id("debcc564-211b-559c-b810-e72598bdaf47")}', 'Minor Threat');
  INSERT INTO genres VALUES ('${id("3af7ba62-d87f-5258-af62-d7c5655ec567")}', 'Punk Ska');
  INSERT INTO tracks VALUES ('${id("56b33b92-d5b6-5971-b166-dc959b442c0c")}', 'Adicción, tradición, revolución', 201, 2, 2004,
    '${id("32792eb5-03ff-5837-9869-d77ac9b5c99f")}', '${id("debcc564-211b-559c-b810-e72598bdaf47")}', '${id("3af7ba62-d87f-5258-af62-d7c5655ec567")}');`

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
    db.exec(originalSchema("CHAR(32)") + rows((id) => id.replaceAll("-", "")))
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
    pg.query(originalSchema("uuid") + rows((id) => id))
    const server = await startServer({ AVALON_DATABASE_URL: pg.url.replace("postgresql://", "postgresql+psycopg2://"), AVALON_STATSD_HOST: "" })
    try {
      const body = await (await fetch(server.url("/avalon/songs?genre=punk%20ska"))).json()
      expect(body).toEqual({ success: [expectedSong], errors: [], warnings: [] })
    } finally {
      await server.stop()
    }
  })
})
