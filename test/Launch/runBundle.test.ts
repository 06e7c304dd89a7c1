import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { v8FlagDefaults } from "../../src/Launch/setV8Flag.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

// Each case runs in a fresh process, as the program does: within one process V8 reuses what it compiled already
// and would never read a cache.
const folder = makeTemporaryFolder("avalon-code-cache-")
afterAll(folder.remove)

const source = (path: string) => new URL(`../../src/Launch/${path}`, import.meta.url).pathname
const launcher = join(folder.path, "launch.mjs")

const wrapper = { head: "(function (exports, require, module, __filename, __dirname) {", tail: "\n})" }

/** A bundle with a little of everything `runBundle` hands it; prints what it saw, then `tail`. */
const program = (tail: string) => `${wrapper.head}const { basename } = require("node:path")
const greet = (name) => "hello " + name
module.exports.answer = 42
process.stdout.write(JSON.stringify({ file: basename(__filename), folder: basename(__dirname), greeting: greet("bundle"), exportsAreThis: this === module.exports, tail: ${JSON.stringify(tail)} }) + "\\n")${wrapper.tail}`

beforeAll(async () => {
  // The loader as built for dist/, taking its bundle, cache name and cache folder from the command line.
  writeFileSync(join(folder.path, "launch.ts"), `import { runBundle } from ${JSON.stringify(source("runBundle.ts"))}
const [bundle, cacheDir] = process.argv.slice(2)
const run = runBundle(bundle!, { cacheName: "test", ...(cacheDir === undefined ? {} : { cacheDir: cacheDir === "none" ? null : cacheDir }) })
if ((run.exports as { answer?: number }).answer !== 42) throw new Error("the bundle's exports are lost")
`)
  // A bundle that changes a V8 flag the way the program does (src/Launch/setV8Flag.ts).
  writeFileSync(join(folder.path, "flags.ts"), `import { setV8Flag } from ${JSON.stringify(source("setV8Flag.ts"))}
setV8Flag("semi-space-growth-factor", 1)
module.exports.answer = 42
`)
  await build({ entryPoints: [join(folder.path, "launch.ts")], bundle: true, platform: "node", format: "esm", outfile: launcher, logLevel: "warning" })
  await build({
    entryPoints: [join(folder.path, "flags.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: join(folder.path, "flags.cjs"),
    logLevel: "warning",
    banner: { js: wrapper.head },
    footer: { js: wrapper.tail }
  })
})

let cases = 0
/** A fresh folder holding `program.cjs`. */
const bundleFolder = (text = program("")) => {
  const dir = join(folder.path, `case-${++cases}`)
  mkdirSync(dir)
  writeFileSync(join(dir, "program.cjs"), text)
  return { dir, bundle: join(dir, "program.cjs"), cache: join(dir, "program.cjs.test.v8cache") }
}

type Run = { readonly status: number | null; readonly stdout: string; readonly events: ReadonlyArray<string> }

/** Runs the bundle through the loader; `events` are the loader's debug lines (what became of the cache). */
const run = (bundle: string, args: ReadonlyArray<string> = [], nodeFlags: ReadonlyArray<string> = []): Run => {
  const result = spawnSync(process.execPath, [...nodeFlags, launcher, bundle, ...args], {
    encoding: "utf8",
    env: { ...process.env, AVALON_CODE_CACHE: "", AVALON_CODE_CACHE_DEBUG: "1" }
  })
  const events = result.stderr.split("\n").flatMap((line) => /^avalon: code cache .*?: (\w+)/.exec(line)?.slice(1) ?? [])
  expect(result.stderr.replace(/^avalon: code cache .*\n/gm, "")).toBe("")
  return { status: result.status, stdout: result.stdout, events }
}

const expectedOutput = (tail = "") => ({ file: "program.cjs", folder: expect.stringMatching(/^case-/), greeting: "hello bundle", exportsAreThis: true, tail })

describe("runBundle", () => {
  it("runs a bundle without a cache, saves one on exit, and the next run uses it", () => {
    const { bundle, cache } = bundleFolder()
    const first = run(bundle)
    expect(first.status).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual(expectedOutput())
    expect(first.events).toEqual(["missing", "written"])
    expect(existsSync(cache)).toBe(true)

    const second = run(bundle)
    expect(second.status).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    // "accepted": V8 was given the cache and did not reject it; nothing is written again.
    expect(second.events).toEqual(["accepted"])
  })

  it("ignores a cache made for other contents of the bundle, even of the same length, and replaces it", () => {
    const { bundle, cache } = bundleFolder(program("aaaa"))
    expect(run(bundle).events).toEqual(["missing", "written"])
    const before = readFileSync(cache)
    writeFileSync(bundle, program("bbbb"))
    const changed = run(bundle)
    expect(changed.status).toBe(0)
    expect(JSON.parse(changed.stdout).tail).toBe("bbbb")
    expect(changed.events).toEqual(["stale", "written"])
    expect(readFileSync(cache).equals(before)).toBe(false)
    expect(run(bundle).events).toEqual(["accepted"])
  })

  it("runs correctly when V8 rejects a damaged cache, and replaces it", () => {
    const { bundle, cache } = bundleFolder()
    run(bundle)
    const stored = readFileSync(cache)
    // The header (format, digest of the bundle) stays right: only V8 can tell.
    for (let index = 12; index < stored.length; index += 7) stored[index] = stored[index]! ^ 0x5a
    writeFileSync(cache, stored)
    const damaged = run(bundle)
    expect(damaged.status).toBe(0)
    expect(JSON.parse(damaged.stdout)).toEqual(expectedOutput())
    expect(damaged.events).toEqual(["rejected", "written"])
    expect(run(bundle).events).toEqual(["accepted"])
  })

  it("treats a truncated or foreign cache file as stale", () => {
    for (const contents of ["", "AVLNV8C2", "AVLNV8C1 made by an older loader, long enough to hold a header", "not a cache at all"]) {
      const { bundle, cache } = bundleFolder()
      writeFileSync(cache, contents)
      const result = run(bundle)
      expect(result.status).toBe(0)
      expect(result.events).toEqual(["stale", "written"])
    }
  })

  it("replaces a cache made under other V8 flags", () => {
    const { bundle } = bundleFolder()
    run(bundle)
    const other = run(bundle, [], ["--stack-size=900"])
    expect(other.status).toBe(0)
    expect(other.events).toEqual(["rejected", "written"])
  })

  it("makes the cache under V8's default flags when the program changed one with setV8Flag", () => {
    const dir = join(folder.path, "flags")
    mkdirSync(dir)
    const bundle = join(folder.path, "flags.cjs")
    expect(run(bundle, [dir]).events).toEqual(["missing", "written"])
    expect(run(bundle, [dir]).events).toEqual(["accepted"])
  })

  it("keeps its cache in another folder when told, creating it", () => {
    const { bundle, dir } = bundleFolder()
    const elsewhere = join(folder.path, "elsewhere", "cache")
    expect(run(bundle, [elsewhere]).events).toEqual(["missing", "written"])
    expect(readdirSync(elsewhere)).toEqual(["program.cjs.test.v8cache"])
    expect(readdirSync(dir)).toEqual(["program.cjs"])
    expect(run(bundle, [elsewhere]).events).toEqual(["accepted"])
  })

  it("runs correctly, silently, where the cache cannot be written", () => {
    const { bundle, dir } = bundleFolder()
    // A folder "inside" a file cannot be created, whoever runs the test (root ignores permissions).
    const unwritable = join(bundle, "cache")
    const result = run(bundle, [unwritable])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(expectedOutput())
    expect(result.events).toEqual(["missing", "not"])
    expect(readdirSync(dir)).toEqual(["program.cjs"])
  })

  it("uses no cache when there is no cache folder", () => {
    const { bundle, dir } = bundleFolder()
    const result = run(bundle, ["none"])
    expect(result.status).toBe(0)
    expect(result.events).toEqual(["off"])
    expect(readdirSync(dir)).toEqual(["program.cjs"])
  })
})

describe("setV8Flag", () => {
  it("knows V8's defaults of the flags it restores", () => {
    const options = spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8" }).stdout
    for (const [flag, value] of Object.entries(v8FlagDefaults)) expect(options).toContain(`default: --${flag}=${value}\n`)
  })
})
