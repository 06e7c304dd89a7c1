import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { nightRanked, searchRows } from "../Catalog/searchFixtures.js"
import { type RunningServer, startServer } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
let server: RunningServer

beforeAll(async () => {
  const filename = join(folder.path, "search.sqlite")
  const db = new Sqlite(filename)
  db.exec(`
    CREATE TABLE albums (id CHAR(32) NOT NULL PRIMARY KEY, name VARCHAR NOT NULL);
    CREATE TABLE artists (id CHAR(32) NOT NULL PRIMARY KEY, name VARCHAR NOT NULL);
    CREATE TABLE genres (id CHAR(32) NOT NULL PRIMARY KEY, name VARCHAR NOT NULL);
    CREATE TABLE tracks (id CHAR(32) NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, length INTEGER NOT NULL,
      track INTEGER NOT NULL, year INTEGER NOT NULL, album_id CHAR(32) NOT NULL, artist_id CHAR(32) NOT NULL,
      genre_id CHAR(32) NOT NULL);`)
  const hex = (id: string) => id.replaceAll("-", "")
  for (const table of ["albums", "artists", "genres"] as const) {
    const insert = db.prepare(`INSERT INTO ${table} VALUES (?, ?)`)
    for (const row of searchRows[table]) insert.run(hex(row.id), row.name)
  }
  const insert = db.prepare("INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
  for (const s of searchRows.songs) {
    insert.run(hex(s.id), s.name, s.length, s.track, s.year, hex(s.album_id), hex(s.artist_id), hex(s.genre_id))
  }
  db.close()
  server = await startServer({ AVALON_DATABASE_URL: `sqlite:///${filename}` })
}, 60_000)

afterAll(async () => {
  await server?.stop()
  folder.remove()
})

const get = async (path: string) => {
  const response = await fetch(server.url(path))
  expect(response.status).toBe(200)
  const body = (await response.json()) as { success: Array<{ id: string; name: string }> }
  const items = body.success
  return { items, names: items.map((item) => item.name), pairs: items.map((item) => [item.name, item.id]) }
}

describe("search through avalon serve", () => {
  it("ranks songs?query without order by relevance, with the id as the last tie-break", async () => {
    expect((await get("/avalon/songs?query=night")).pairs).toEqual(nightRanked)
    expect((await get("/avalon/songs?query=NIGHT%20R")).names).toEqual(["Night Rider", "Calm"])
    expect((await get("/avalon/artists?query=night")).names).toEqual(["Night", "Night Ranger", "The Night Watch"])
  })

  it("pages through the ranked order without duplicates or gaps", async () => {
    const seen: Array<Array<string>> = []
    for (let offset = 0; offset < nightRanked.length; offset += 4) {
      seen.push(...(await get(`/avalon/songs?query=night&limit=4&offset=${offset}`)).pairs)
    }
    expect(seen).toEqual(nightRanked)
  })

  it("keeps an explicit order", async () => {
    expect((await get("/avalon/songs?query=night%20r&order=name")).names).toEqual(["Calm", "Night Rider"])
    expect((await get("/avalon/songs?query=night&order=track&direction=desc&limit=2")).names).toEqual([
      "Night Sky Blue",
      "Delta"
    ])
  })

  it("folds letters, quotes, dashes and spaces", async () => {
    expect((await get("/avalon/artists?query=bjork")).names).toEqual(["Bjørk"])
    expect((await get("/avalon/albums?query=oeuvre")).names).toEqual(["Œuvre"])
    expect((await get("/avalon/songs?query=strasse")).names).toEqual(["Straße"])
    expect((await get("/avalon/songs?query=alt-j")).names).toEqual(["alt\u2010J"])
    expect((await get("/avalon/songs?query=ruby%20soho")).names).toEqual(["Ruby\u00a0Soho"])
    expect((await get("/avalon/songs?query=don't%20stop")).names).toEqual(["Don\u2019t Stop"])
  })
})
