import { cpSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import Sqlite from "better-sqlite3"
import { Effect } from "effect"
import { databaseLayer } from "../../src/Database/DatabaseLive.js"
import { latestMigrationId } from "../../src/Database/migrationIds.js"
import { migrations } from "../../src/Database/migrations.js"
import { scanCollection } from "../../src/Scan/scanCollection.js"
import { walkCollection } from "../../src/Scan/walkCollection.js"
import { handOverWalk, takeHandedOverWalk } from "../../src/Scan/walkHandoff.js"
import { fixturesCollection, runAvalon } from "../support/avalon.js"
import { createTemporaryPgDatabase } from "../support/postgres.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
const pg = createTemporaryPgDatabase()
afterAll(() => {
  pg.drop()
  folder.remove()
})

const copyOfFixtures = (name: string): string => {
  const music = join(folder.path, name)
  cpSync(fixturesCollection, music, { recursive: true, verbatimSymlinks: true })
  return music
}
const sqliteUrl = (name: string) => `sqlite:///${join(folder.path, name)}`
const debug = { AVALON_QUICK_RESCAN: "debug" }
const withoutElapsed = (text: string) => text.replace(/ in [\d.]+ s:/, " in … s:")

describe("the quick re-scan (an unchanged collection, before the program starts)", () => {
  const music = copyOfFixtures("music")
  const url = sqliteUrl("quick.sqlite")
  const first = runAvalon(["scan", "-q", "-d", url, music], debug)

  it("is declined when the database does not exist yet, and the full scan runs", () => {
    expect(first.status).toBe(0)
    expect(first.stderr).toBe("avalon: quick re-scan declined: database\n")
  })

  it("prints exactly what the full program prints for the same unchanged collection", () => {
    const quick = runAvalon(["scan", "-d", url, music], debug)
    const full = runAvalon(["scan", "-d", url, music], { AVALON_QUICK_RESCAN: "off" })
    expect(quick.status).toBe(0)
    expect(full.status).toBe(0)
    expect(quick.stderr).toBe("23 files found, 0 to read\navalon: quick re-scan done\n")
    expect(full.stderr).toBe("23 files found, 0 to read\n")
    expect(withoutElapsed(quick.stdout)).toBe(withoutElapsed(full.stdout))
    expect(quick.stdout).toContain("Songs written: 17 (collection unchanged, nothing written)\nSkipped: 3 not audio, 3 corrupt, 2 hidden, 2 symlinked folders\n")
  })

  it("takes the options in any order and the database from the configuration, and is silent with -q", () => {
    const quiet = runAvalon(["scan", music, "--quiet"], { ...debug, AVALON_DATABASE_URL: url })
    expect(quiet).toMatchObject({ status: 0, stdout: "", stderr: "avalon: quick re-scan done\n" })
    const spelled = runAvalon(["scan", `--database=${url}`, music], debug)
    expect(spelled.status).toBe(0)
    expect(spelled.stderr).toContain("quick re-scan done")
  })

  it("leaves --full, debug logging, a log file and PostgreSQL to the program", () => {
    expect(runAvalon(["scan", "-q", "--full", "-d", url, music], debug).stderr).toBe("avalon: quick re-scan declined: arguments\n")
    expect(runAvalon(["scan", "-q", "-d", url, music], { ...debug, AVALON_LOG_LEVEL: "DEBUG" }).stderr).toBe("avalon: quick re-scan declined: logging\n")
    const logFile = join(folder.path, "scan.log")
    expect(runAvalon(["scan", "-q", "-d", url, music], { ...debug, AVALON_LOG_PATH: logFile }).stderr).toBe("avalon: quick re-scan declined: logging\n")
    expect(runAvalon(["scan", "-q", "-d", pg.url, music], debug).stderr).toBe("avalon: quick re-scan declined: database\n")
    const again = runAvalon(["scan", "-d", pg.url, music], debug)
    expect(again.stderr).toContain("declined: database")
    expect(again.stdout).toContain("23 files seen, 0 read")
  })

  it("leaves a configuration error to the program, which reports it", () => {
    const result = runAvalon(["scan", "-q", "-d", url, music], { ...debug, AVALON_PORT: "none" })
    expect(result.status).toBe(2)
    expect(result.stderr).toBe("avalon: quick re-scan declined: configuration error\navalon: environment variable AVALON_PORT must be an integer, not \"none\"\n")
  })

  it("hands a changed collection over to the full scan, which reads only what changed", () => {
    writeFileSync(join(music, "extras", "new-notes.txt"), "new")
    const result = runAvalon(["scan", "-d", url, music], debug)
    expect(result.status).toBe(0)
    expect(result.stderr).toContain("avalon: quick re-scan declined: changed\n")
    expect(result.stdout).toContain("24 files seen, 1 read, 0 gone")
    expect(runAvalon(["scan", "-q", "-d", url, music], debug).stderr).toBe("avalon: quick re-scan done\n")
  })

  it("leaves a walk with warnings to the program, which logs them once", () => {
    symlinkSync(join(folder.path, "nowhere"), join(music, "broken-link.mp3"))
    const result = runAvalon(["scan", "-d", url, music], debug)
    expect(result.status).toBe(0)
    expect(result.stderr).toContain("avalon: quick re-scan declined: warnings\n")
    expect(result.stderr.match(/broken symlink/g)).toHaveLength(1)
    rmSync(join(music, "broken-link.mp3"))
  })

  it("leaves a missing collection folder to the program, which reports it", () => {
    const missing = join(folder.path, "missing")
    const result = runAvalon(["scan", "-q", "-d", url, missing], debug)
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`avalon: quick re-scan declined: collection folder\navalon: collection folder ${missing} does not exist\n`)
  })

  it("leaves a database of an older schema to the program, which upgrades it", () => {
    const older = copyOfFixtures("older")
    const olderUrl = sqliteUrl("older.sqlite")
    expect(runAvalon(["scan", "-q", "-d", olderUrl, older]).status).toBe(0)
    const db = new Sqlite(join(folder.path, "older.sqlite"))
    // As the scanner before the change log left it (migration 3 undone).
    db.exec("DROP TABLE avalon_changes; ALTER TABLE avalon_scans DROP COLUMN changes")
    db.prepare("DELETE FROM avalon_migrations WHERE migration_id = ?").run(latestMigrationId)
    db.close()
    expect(runAvalon(["scan", "-q", "-d", olderUrl, older], debug).stderr).toBe("avalon: quick re-scan declined: schema\n")
    expect(runAvalon(["scan", "-q", "-d", olderUrl, older], debug).stderr).toBe("avalon: quick re-scan done\n")
  })
})

describe("the schema version the quick re-scan expects", () => {
  it("is the number of the last migration", () => {
    const numbers = Object.keys(migrations).map((name) => Number.parseInt(name, 10))
    expect(Math.max(...numbers)).toBe(latestMigrationId)
  })
})

describe("a walk handed over to the scan", () => {
  const music = copyOfFixtures("handed-over")
  const database = databaseLayer(sqliteUrl("handed-over.sqlite"))
  const scan = scanCollection({ root: music, full: false, quiet: true, output: { progress: () => {}, summary: () => {}, isTTY: false }, changesRetention: 100 })

  it.effect("is what the scan starts from, once, and only for its own root", () =>
    Effect.gen(function* () {
      const walk = yield* Effect.promise(() => walkCollection(music))
      // Without one of its files, so that the summary shows which walk the scan used.
      handOverWalk({ ...walk, files: walk.files.slice(1) })
      expect((yield* Effect.provide(scan, database)).filesSeen).toBe(walk.files.length - 1)
      expect((yield* Effect.provide(scan, database)).filesSeen).toBe(walk.files.length)
      handOverWalk({ ...walk, root: "/elsewhere" })
      expect(takeHandedOverWalk(music)).toBeUndefined()
    }))
})
