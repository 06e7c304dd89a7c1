import { execFile, execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fsPath } from "../../src/Domain/pathText.js"
import { CollectionRootError, type CollectionRootProblem, walkCollection, type WalkedFile, type WalkResult } from "../../src/Scan/walkCollection.js"
import { fixtureRoot, fixtureTable } from "./fixtureTable.js"

const scratch = mkdtempSync(join(tmpdir(), "avalon-walk-"))
afterAll(() => {
  execFileSync("chmod", ["-R", "u+rwx", scratch])
  rmSync(scratch, { recursive: true, force: true })
})

const tree = (name: string, paths: ReadonlyArray<string>): string => {
  const root = join(scratch, name)
  for (const path of paths) {
    const full = join(root, path)
    if (path.endsWith("/")) mkdirSync(full, { recursive: true })
    else {
      mkdirSync(join(full, ".."), { recursive: true })
      writeFileSync(full, "x")
    }
  }
  return root
}

const relativeFiles = (result: WalkResult): ReadonlyArray<string> => result.files.map((file) => relative(result.root, file.path))

type Unprivileged = WalkResult | { readonly problem: CollectionRootProblem; readonly message: string }

// Tests run as root here, and root reads through chmod 000. So, as root, the permission cases run
// walkCollection in a child process as "nobody" (uid/gid 65534), from an esbuild bundle of the module.
const runningAsRoot = process.getuid?.() === 0
let walkAsNobody: ((root: string) => Promise<Unprivileged>) | undefined

beforeAll(async () => {
  if (!runningAsRoot) return
  chmodSync(scratch, 0o755)
  const bundle = join(scratch, "walk-as-nobody.mjs")
  await build({
    stdin: {
      contents: `import { walkCollection } from ${JSON.stringify(new URL("../../src/Scan/walkCollection.ts", import.meta.url).pathname)}
walkCollection(process.argv[2]).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => console.log(JSON.stringify({ problem: error.problem, message: error.message })))`,
      resolveDir: scratch,
      loader: "ts"
    },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    logLevel: "error"
  })
  walkAsNobody = async (root) => {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, root], { uid: 65534, gid: 65534 })
    const parsed: Unprivileged = JSON.parse(stdout)
    return parsed
  }
})

const walkUnprivileged = async (root: string): Promise<Unprivileged> => {
  if (walkAsNobody !== undefined) return walkAsNobody(root)
  try {
    return await walkCollection(root)
  } catch (error) {
    if (error instanceof CollectionRootError) return { problem: error.problem, message: error.message }
    throw error
  }
}

describe("walkCollection on the fixtures", () => {
  it("lists the regular files, reads file symlinks, skips hidden entries and symlinked folders", async () => {
    const result = await walkCollection(fixtureRoot)
    expect(result.root).toBe(fixtureRoot)
    expect(relativeFiles(result)).toEqual(fixtureTable().map((row) => row.file).sort())
    expect(result).toMatchObject({ hiddenSkipped: 2, symlinkedFoldersSkipped: 2, otherSkipped: 0, warnings: [] })
  })

  it("keeps the link's own path, with its target's size", async () => {
    const result = await walkCollection(fixtureRoot)
    const linked = result.files.find((file) => file.path.endsWith("/links/linked.flac"))
    expect(linked).toEqual({
      path: join(fixtureRoot, "links/linked.flac"),
      size: statSync(join(fixtureRoot, "flac/lossless.flac")).size,
      mtimeMs: statSync(join(fixtureRoot, "flac/lossless.flac")).mtimeMs
    })
    expect(relativeFiles(result)).toContain("nested/one/two/three/deep.flac")
    expect(relativeFiles(result).some((path) => path.includes("hidden"))).toBe(false)
  })

  it("returns absolute paths sorted, from a relative root too", async () => {
    const result = await walkCollection(relative(process.cwd(), fixtureRoot))
    expect(result.root).toBe(fixtureRoot)
    const paths = result.files.map((file) => file.path)
    expect(paths.every((path) => path.startsWith(`${fixtureRoot}/`))).toBe(true)
    expect(paths).toEqual([...paths].sort())
  })

  it("gives the same result when it walks in parallel from the start", async () => {
    expect(await walkCollection(fixtureRoot, { strategy: "async" })).toEqual(await walkCollection(fixtureRoot))
  })

  it.each(["adaptive", "async"] as const)("reports each file to onFile once, before it resolves (%s)", async (strategy) => {
    const reported: Array<WalkedFile> = []
    const result = await walkCollection(fixtureRoot, { strategy, onFile: (file) => reported.push(file) })
    expect([...reported].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual(result.files)
  })

  it("lets the event loop turn while it walks synchronously", async () => {
    const root = tree("wide", Array.from({ length: 2000 }, (_, i) => `folder${i % 200}/song${i}.mp3`))
    let turned = false
    setImmediate(() => (turned = true))
    const started = performance.now()
    await walkCollection(root)
    // It yields every 8 ms of walking; a fast machine may be done before the first one is due.
    if (performance.now() - started > 20) expect(turned).toBe(true)
  })
})

describe("walkCollection on odd entries", () => {
  it.each(["adaptive", "async"] as const)("warns about broken links and link loops, counts FIFOs (%s)", async (strategy) => {
    const root = tree(`odd-${strategy}`, ["album/song.mp3", "album/deeper/"])
    symlinkSync("nowhere.mp3", join(root, "album/broken.mp3"))
    symlinkSync("loop-b.mp3", join(root, "album/loop-a.mp3"))
    symlinkSync("loop-a.mp3", join(root, "album/loop-b.mp3"))
    symlinkSync("../..", join(root, "album/deeper/to-root"))
    execFileSync("mkfifo", [join(root, "album/pipe")])
    const result = await walkCollection(root, { strategy })
    expect(relativeFiles(result)).toEqual(["album/song.mp3"])
    expect(result).toMatchObject({ hiddenSkipped: 0, symlinkedFoldersSkipped: 1, otherSkipped: 1 })
    expect(result.warnings).toEqual([
      `cannot read ${join(root, "album/broken.mp3")}: broken symlink`,
      `cannot read ${join(root, "album/loop-a.mp3")}: symlink loop`,
      `cannot read ${join(root, "album/loop-b.mp3")}: symlink loop`
    ])
  })

  it.each(["adaptive", "async"] as const)("finds names that are not UTF-8, in their bytes: text form (%s)", async (strategy) => {
    const root = tree(`latin1-${strategy}`, ["utf8/é.mp3"])
    const latin1 = (path: string) => Buffer.from(join(root, path), "latin1")
    mkdirSync(latin1("caf\xe9"))
    for (const name of ["caf\xe9/\xe9t\xe9.mp3", "caf\xe9/back\\slash.mp3", "utf8/\xff.mp3"]) writeFileSync(latin1(name), "x")
    writeFileSync(join(root, "utf8/\uFFFD.mp3"), "x") // really U+FFFD, beside a name that Node turns into one
    mkdirSync(latin1(".hidden\xe9"))
    const result = await walkCollection(root, { strategy })
    expect(result.warnings).toEqual([])
    expect(result.hiddenSkipped).toBe(1)
    expect(result.files.map((file) => file.path)).toEqual([
      `${root}/utf8/é.mp3`,
      `bytes:${root}/caf\\xe9/back\\\\slash.mp3`,
      `bytes:${root}/caf\\xe9/\\xe9t\\xe9.mp3`,
      `bytes:${root}/utf8/\\xff.mp3`,
      `${root}/utf8/\uFFFD.mp3`
    ].sort())
    for (const file of result.files) expect(statSync(fsPath(file.path)).size).toBe(file.size)
  })

  it.each(["adaptive", "async"] as const)("folders and files deleted while it walks are warnings (%s)", async (strategy) => {
    const root = tree(`vanishing-${strategy}`, Array.from({ length: 40 }, (_, i) => `folder${i}/song.mp3`))
    let deleted = false
    const result = await walkCollection(root, {
      strategy,
      onFile: () => {
        if (deleted) return
        deleted = true
        for (let i = 0; i < 40; i++) rmSync(join(root, `folder${i}`), { recursive: true, force: true })
      }
    })
    expect(result.files.length).toBeGreaterThan(0)
    expect(result.warnings.length).toBeGreaterThan(0)
    expect(result.files.length + result.warnings.length).toBe(40)
    for (const warning of result.warnings) expect(warning).toMatch(/^cannot read (folder )?\/.*: vanished during the scan$/)
  })

  it("an unreadable sub-folder or file is a warning, not a failure", async () => {
    const root = tree("permissions", ["ok/a.mp3", "locked/b.mp3", "no-search/c.mp3"])
    chmodSync(join(root, "locked"), 0o000)
    chmodSync(join(root, "no-search"), 0o644)
    const result = await walkUnprivileged(root)
    expect(result).toMatchObject({
      files: [{ path: join(root, "ok/a.mp3"), size: 1 }],
      warnings: [
        `cannot read ${join(root, "no-search/c.mp3")}: permission denied`,
        `cannot read folder ${join(root, "locked")}: permission denied`
      ]
    })
  })
})

describe("walkCollection root errors", () => {
  const rootProblem = async (root: string): Promise<CollectionRootError> => {
    const error: unknown = await walkCollection(root).then(() => undefined, (failure: unknown) => failure)
    if (!(error instanceof CollectionRootError)) throw new Error(`expected a CollectionRootError, got ${String(error)}`)
    return error
  }

  it("a missing folder", async () => {
    const missing = join(scratch, "missing")
    const error = await rootProblem(missing)
    expect(error).toMatchObject({ _tag: "CollectionRootError", problem: "missing", path: missing })
    expect(error.message).toBe(`collection folder ${missing} does not exist`)
  })

  it("a file instead of a folder", async () => {
    const file = join(tree("file-root", ["song.mp3"]), "song.mp3")
    const error = await rootProblem(file)
    expect(error).toMatchObject({ problem: "not-a-folder", message: `${file} is not a folder` })
  })

  it("a symlink to a folder is followed for the root", async () => {
    const target = tree("link-target", ["song.mp3"])
    symlinkSync(target, join(scratch, "link-root"))
    const result = await walkCollection(join(scratch, "link-root"))
    expect(result.files.map((file) => file.path)).toEqual([join(scratch, "link-root/song.mp3")])
  })

  it("an unreadable folder", async () => {
    const root = tree("unreadable-root", ["song.mp3"])
    chmodSync(root, 0o000)
    expect(await walkUnprivileged(root)).toEqual({
      problem: "unreadable",
      message: `cannot read collection folder ${root}: permission denied`
    })
  })
})
