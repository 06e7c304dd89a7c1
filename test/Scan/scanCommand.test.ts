import { chmodSync, cpSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import Sqlite from "better-sqlite3"
import { fixturesCollection, runAvalon } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
chmodSync(folder.path, 0o755)
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})
const sqliteUrl = (name: string) => `sqlite:///${join(folder.path, name)}`

describe("avalon scan", () => {
  it("prints a summary of what it saw and wrote", () => {
    const result = runAvalon(["scan", "-d", sqliteUrl("summary.sqlite"), fixturesCollection])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Scanned .*collection in [\d.]+ s: 23 files seen, 23 read, 0 gone\nSongs written: 17 \(scan generation 1\)\nSkipped: 3 not audio, 3 corrupt, 2 hidden, 2 symlinked folders\nCollection: \d+ albums, 9 artists, \d+ genres\n$/)
    expect(result.stderr).toMatch(/WARNING\] skipping corrupt file .*random-bytes\.mp3/)
    expect(result.stderr).not.toMatch(/notes\.txt/)
  })

  it("prints nothing but errors with -q", () => {
    const result = runAvalon(["scan", "-q", "-d", sqliteUrl("quiet.sqlite"), fixturesCollection])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe("")
  })

  it("prints periodic progress lines when stderr is not a terminal", () => {
    const result = runAvalon(["scan", "--full", "-d", sqliteUrl("summary.sqlite"), fixturesCollection])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("23 files seen, 23 read")
    expect(result.stderr).toMatch(/^23 files found, 23 to read$/m)
  })

  it("writes PostgreSQL, also under the original's postgresql+psycopg2:// spelling", () => {
    const first = runAvalon(["scan", "-d", pg.url, fixturesCollection])
    expect(first.status).toBe(0)
    expect(pg.query("SELECT count(*) FROM tracks")).toBe("17")
    const second = runAvalon(["scan", "-d", pg.url.replace("postgresql://", "postgresql+psycopg2://"), fixturesCollection])
    expect(second.status).toBe(0)
    expect(second.stdout).toContain("23 files seen, 0 read")
  })

  it("takes DATABASE_URL from the configuration", () => {
    const result = runAvalon(["scan", "-q", fixturesCollection], { AVALON_DATABASE_URL: sqliteUrl("from-env.sqlite") })
    expect(result.status).toBe(0)
    expect(runAvalon(["scan", "-d", sqliteUrl("from-env.sqlite"), fixturesCollection]).stdout).toContain("23 files seen, 0 read")
  })

  const missing = join(folder.path, "missing")
  const aFile = join(folder.path, "a-file.txt")
  writeFileSync(aFile, "not a folder")

  it.each([
    [[missing], `avalon: collection folder ${missing} does not exist\n`],
    [[aFile], `avalon: ${aFile} is not a folder\n`],
    [["-d", "mysql://user:hunter2@localhost/music", fixturesCollection], /^avalon: unsupported database URL scheme "mysql" in mysql:\/\/user:\*\*\*@localhost\/music: use sqlite:\/\/\/path\.sqlite or postgresql:\/\/user@host:5432\/database\n$/],
    [["-d", "postgresql://avalon:hunter2@127.0.0.1:1/music", fixturesCollection], /^avalon: cannot connect to PostgreSQL database postgresql:\/\/avalon:\*\*\*@127\.0\.0\.1:1\/music: .*ECONNREFUSED.*\n$/],
    [["-d", "sqlite:////nonexistent/folder/a.sqlite", fixturesCollection], "avalon: cannot open SQLite database /nonexistent/folder/a.sqlite: folder /nonexistent/folder does not exist\n"]
  ])("fails with one clear line and a non-zero exit: %o", (args, expected) => {
    const result = runAvalon(["scan", "-q", ...(args[0] === "-d" ? [] : ["-d", sqliteUrl("errors.sqlite")]), ...args])
    expect(result.status).toBe(1)
    if (typeof expected === "string") expect(result.stderr).toBe(expected)
    else expect(result.stderr).toMatch(expected)
    expect(result.stderr).not.toContain("hunter2")
  })

  it("fails with one clear line when a schema migration cannot run", () => {
    const file = join(folder.path, "half-migrated.sqlite")
    expect(runAvalon(["scan", "-q", "-d", `sqlite:///${file}`, fixturesCollection]).status).toBe(0)
    // The change log's migration no longer recorded, though its column exists: running it again must fail.
    const db = new Sqlite(file)
    db.prepare("DELETE FROM avalon_migrations WHERE migration_id = 3").run()
    db.close()
    const result = runAvalon(["scan", "-q", "-d", `sqlite:///${file}`, fixturesCollection])
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`avalon: creating the schema of SQLite database ${file} failed: Migration "3_change_log" failed: duplicate column name: changes\n`)
  })

  it.runIf(process.getuid?.() === 0)("fails clearly on permission denied (run as root, so it can become an unprivileged user)", () => {
    const locked = join(folder.path, "locked")
    mkdirSync(locked, { mode: 0o700 })
    cpSync(join(fixturesCollection, "flac"), join(locked, "flac"), { recursive: true })
    const shared = join(folder.path, "shared")
    mkdirSync(shared, { mode: 0o777 })
    chmodSync(shared, 0o777)
    const asNobody = (args: ReadonlyArray<string>) => runAvalon(args, {}, { uid: 65534, gid: 65534 })
    const folderDenied = asNobody(["scan", "-q", "-d", `sqlite:///${join(shared, "a.sqlite")}`, locked])
    expect(folderDenied.stderr).toBe(`avalon: cannot read collection folder ${locked}: permission denied\n`)
    expect(folderDenied.status).toBe(1)
    const databaseDenied = asNobody(["scan", "-q", "-d", `sqlite:///${join(locked, "a.sqlite")}`, fixturesCollection])
    expect(databaseDenied.status).toBe(1)
    expect(databaseDenied.stderr).toMatch(/^avalon: cannot open SQLite database .*locked\/a\.sqlite: .*\n$/)
  })
})
