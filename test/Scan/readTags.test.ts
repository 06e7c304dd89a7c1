import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseFile } from "music-metadata"
import { afterAll, describe, expect, it } from "vitest"
import { pathText } from "../../src/Domain/pathText.js"
import { readTags, type TagReadOutcome, wholeFileLimit } from "../../src/Scan/readTags.js"
import { fixtureRoot, fixtureTable } from "./fixtureTable.js"

const rows = fixtureTable()
const scratch = mkdtempSync(join(tmpdir(), "avalon-readtags-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const scratchFile = (name: string, contents: string | Buffer): string => {
  const path = join(scratch, name)
  writeFileSync(path, contents)
  return path
}
const copyAs = (fixture: string, name: string): string => {
  const path = join(scratch, name)
  copyFileSync(join(fixtureRoot, fixture), path)
  return path
}

const expectRow = (outcome: TagReadOutcome, row: (typeof rows)[number]): void => {
  if (row.kind === "song") {
    expect(outcome).toMatchObject({ kind: "song", tags: row.tags })
    if (outcome.kind !== "song") return
    if (row.warning === undefined) expect(outcome.warnings).toEqual([])
    else expect(outcome.warnings).toEqual([expect.stringContaining(row.warning)])
  } else {
    expect(outcome).toEqual({ kind: row.kind, reason: expect.stringContaining(row.reason) })
  }
}

describe("readTags on every fixture (test/fixtures/README.md)", () => {
  it("the README lists all 23 fixture files", () => {
    expect(rows).toHaveLength(23)
  })

  it.each(rows.map((row) => [row.file, row] as const))("%s", async (file, row) => {
    expectRow(await readTags(join(fixtureRoot, file)), row)
  })

  // Past wholeFileLimit the reader uses parseFile instead of reading the whole file; the size hint forces that path.
  it.each(rows.map((row) => [row.file, row] as const))("%s through the large-file path", async (file, row) => {
    expectRow(await readTags(join(fixtureRoot, file), wholeFileLimit + 1), row)
  })
})

describe("readTags under a path that is not UTF-8", () => {
  const folder = Buffer.concat([Buffer.from(`${scratch}/`), Buffer.from("caf\xe9 \xff", "latin1")])
  mkdirSync(folder)
  const copyUnder = (file: string): string => {
    const target = Buffer.concat([folder, Buffer.from(`/${file.replaceAll("/", "-")}`)])
    copyFileSync(join(fixtureRoot, file), target)
    return pathText(target)
  }

  it.each(rows.map((row) => [row.file, row] as const))("%s", async (file, row) => {
    const path = copyUnder(file)
    expect(path).toMatch(/^bytes:.*caf\\xe9 \\xff\//)
    expectRow(await readTags(path), row)
    // Large files there are recognized by their content, not their extension: the same songs, but a corrupt
    // file's reason may differ.
    const large = await readTags(path, wholeFileLimit + 1)
    if (row.kind === "song") expectRow(large, row)
    else expect(large.kind).toBe(row.kind)
  })
})

describe("readTags classification", () => {
  it("an empty file is corrupt with an audio extension and not audio otherwise", async () => {
    expect(await readTags(scratchFile("empty.flac", ""))).toEqual({ kind: "corrupt", reason: "empty file" })
    expect(await readTags(scratchFile("empty.txt", ""))).toEqual({ kind: "not-audio", reason: "empty file" })
    expect(await readTags(scratchFile("noextension", ""))).toEqual({ kind: "not-audio", reason: "empty file" })
  })

  it("non-audio content under an audio extension is corrupt", async () => {
    expect((await readTags(copyAs("extras/cover.jpg", "cover.mp3"))).kind).toBe("corrupt")
    expect((await readTags(copyAs("extras/notes.txt", "notes.flac"))).kind).toBe("corrupt")
    expect((await readTags(copyAs("extras/notes.txt", "notes.aiff"))).kind).toBe("corrupt")
    expect((await readTags(copyAs("corrupt/random-bytes.mp3", "random.m4a"))).kind).toBe("corrupt")
    expect((await readTags(copyAs("corrupt/random-bytes.mp3", "random.ogg"))).kind).toBe("corrupt")
  })

  it("audio is recognized by its content whatever the extension", async () => {
    const outcome = await readTags(copyAs("flac/lossless.flac", "renamed.dat"))
    expect(outcome).toMatchObject({ kind: "song", tags: { name: "Seeing Red" } })
  })

  it("unreadable paths are corrupt, with the reason", async () => {
    expect(await readTags(join(scratch, "does-not-exist.mp3"))).toEqual({
      kind: "corrupt",
      reason: "cannot read: file vanished before it could be read"
    })
    mkdirSync(join(scratch, "folder.mp3"))
    expect(await readTags(join(scratch, "folder.mp3"))).toEqual({ kind: "corrupt", reason: "cannot read: is a folder" })
  })

  it("never rejects", async () => {
    await expect(readTags("\u0000bad path")).resolves.toMatchObject({ kind: "corrupt" })
  })

  // Small files are read into one reused buffer, which a second read in flight must not overwrite.
  it("gives the same outcomes one file at a time and all at once", async () => {
    const paths = rows.map((row) => join(fixtureRoot, row.file))
    const oneByOne: Array<TagReadOutcome> = []
    for (const path of paths) oneByOne.push(await readTags(path))
    expect(await Promise.all(paths.map((path) => readTags(path)))).toEqual(oneByOne)
    expect(await Promise.all([...paths].reverse().map((path) => readTags(path)))).toEqual([...oneByOne].reverse())
  })
})

describe("readTags durations", () => {
  // The Ogg fixtures have 20 ms pages, so music-metadata stops early and the reader uses the last granule position.
  it.each(["ogg/vorbis.ogg", "opus/voice.opus", "mp3/vbr-no-xing.mp3"])("%s: length agrees with a full parse", async (file) => {
    const path = join(fixtureRoot, file)
    const fast = await parseFile(path)
    const full = await parseFile(path, { duration: true })
    const outcome = await readTags(path)
    expect(fast.format.duration).toBeUndefined()
    expect(full.format.duration).toBeGreaterThan(2)
    expect(outcome).toMatchObject({ kind: "song", tags: { length: Math.trunc(full.format.duration ?? 0) } })
  })
})
