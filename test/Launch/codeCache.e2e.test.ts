import { readdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { fixturesCollection, runAvalon, startServer } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder("avalon-code-cache-e2e-")
afterAll(folder.remove)

/** What became of each cache file in a run: `{ "avalon.cjs.scan.v8cache": ["missing", "written"] }`. */
const cacheEvents = (stderr: string): Record<string, Array<string>> => {
  const events: Record<string, Array<string>> = {}
  for (const [, file, event] of stderr.matchAll(/^avalon: code cache .*\/([^/\n]+): (\w+)/gm)) (events[file!] ??= []).push(event!)
  return events
}

// The caches go to a folder of the test's own, away from dist/ (where other tests' runs keep theirs).
const cacheEnv = (name: string) => ({ AVALON_CODE_CACHE: join(folder.path, name), AVALON_CODE_CACHE_DEBUG: "1" })

describe("the built program's code cache", () => {
  it("is made by the first run of a command and used by the next", () => {
    const env = cacheEnv("version")
    const first = runAvalon(["--version"], env)
    expect(first.status).toBe(0)
    expect(cacheEvents(first.stderr)).toEqual({ "avalon.cjs.cli.v8cache": ["missing", "written"] })
    const second = runAvalon(["--version"], env)
    expect(second.status).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    expect(cacheEvents(second.stderr)).toEqual({ "avalon.cjs.cli.v8cache": ["accepted"] })
  })

  it("is kept per command, and by the tag reader's workers", () => {
    const env = cacheEnv("scan")
    const database = `sqlite:///${join(folder.path, "scan.sqlite")}`
    const first = runAvalon(["scan", "--full", "-q", "-d", database, fixturesCollection], env)
    expect(first.status).toBe(0)
    const made = cacheEvents(first.stderr)
    expect(made["avalon.cjs.scan.v8cache"]).toEqual(["missing", "written"])
    // The quick re-scan, tried before the program, declined --full.
    expect(made["quickRescan.cjs.scan.v8cache"]).toEqual(["missing", "written"])
    // One line per worker started; each worker saves once it is out of work, and they race to write one file.
    expect(made["tagWorker.cjs.worker.v8cache"]).toContain("written")
    expect(readdirSync(join(folder.path, "scan")).sort()).toEqual(["avalon.cjs.scan.v8cache", "quickRescan.cjs.scan.v8cache", "tagWorker.cjs.worker.v8cache"])

    const second = runAvalon(["scan", "--full", "-q", "-d", database, fixturesCollection], env)
    expect(second.status).toBe(0)
    const used = cacheEvents(second.stderr)
    // The scan changed a V8 flag (see setV8Flag) and its cache still holds.
    expect(used["avalon.cjs.scan.v8cache"]).toEqual(["accepted"])
    expect(new Set(used["tagWorker.cjs.worker.v8cache"])).toEqual(new Set(["accepted"]))

    const unchanged = runAvalon(["scan", "-d", database, fixturesCollection], env)
    expect(unchanged.status).toBe(0)
    expect(unchanged.stdout).toContain("23 files seen, 0 read")
    // Done by the quick re-scan alone: the program's bundle is not even read.
    expect(cacheEvents(unchanged.stderr)).toEqual({ "quickRescan.cjs.scan.v8cache": ["accepted"] })
    const unchangedByTheProgram = runAvalon(["scan", "-d", database, fixturesCollection], { ...env, AVALON_QUICK_RESCAN: "off" })
    expect(unchangedByTheProgram.stdout).toContain("23 files seen, 0 read")
    expect(cacheEvents(unchangedByTheProgram.stderr)).toEqual({ "quickRescan.cjs.scan.v8cache": ["accepted"], "avalon.cjs.scan.v8cache": ["accepted"] })
  })

  it("is made by a server when it stops, and used by the next", async () => {
    const env = { ...cacheEnv("serve"), AVALON_DATABASE_URL: `sqlite:///${join(folder.path, "serve.sqlite")}` }
    for (const expected of [["missing", "written"], ["accepted"]]) {
      const server = await startServer(env)
      const response = await fetch(server.url("/avalon/heartbeat"))
      expect(response.status).toBe(200)
      await server.stop()
      expect(cacheEvents(server.output())).toEqual({ "avalon.cjs.serve.v8cache": expected })
    }
  })
})
