import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { appendFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { readWhenFilesChange } from "../../src/Database/readWhenFilesChange.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

describe("readWhenFilesChange", () => {
  const folder = makeTemporaryFolder()
  afterAll(() => folder.remove())

  const counting = (values: ReadonlyArray<number>) => {
    let reads = 0
    const read = Effect.sync(() => values[Math.min(reads++, values.length - 1)]!)
    return { read, reads: () => reads }
  }

  it.effect("reads again only once a file changed, was replaced, appeared or vanished", () =>
    Effect.gen(function* () {
      const main = join(folder.path, "a.db")
      const side = join(folder.path, "a.db-wal")
      writeFileSync(main, "one")
      const { read, reads } = counting([1, 2, 3, 4, 5, 6])
      const gated = readWhenFilesChange([main, side], read, 60_000)
      expect(yield* gated).toBe(1)
      expect(yield* gated).toBe(1)
      expect(reads()).toBe(1)

      appendFileSync(main, "+")
      expect(yield* gated).toBe(2)
      expect(yield* gated).toBe(2)

      writeFileSync(side, "frames")
      expect(yield* gated).toBe(3)
      rmSync(side)
      expect(yield* gated).toBe(4)

      // Same size, another file put in its place.
      writeFileSync(join(folder.path, "b.db"), "one+")
      renameSync(join(folder.path, "b.db"), main)
      expect(yield* gated).toBe(5)
      expect(reads()).toBe(5)
    }))

  it.effect("reads again once the age bound has passed, and never remembers a failure", () =>
    Effect.gen(function* () {
      const main = join(folder.path, "c.db")
      writeFileSync(main, "x")
      const { read, reads } = counting([1, 2])
      const always = readWhenFilesChange([main], read, 0)
      yield* always
      yield* always
      expect(reads()).toBe(2)

      let attempts = 0
      const failing = readWhenFilesChange([main], Effect.suspend(() => (++attempts === 1 ? Effect.fail("down") : Effect.succeed(7))), 60_000)
      expect(yield* Effect.flip(failing)).toBe("down")
      expect(yield* failing).toBe(7)
      expect(yield* failing).toBe(7)
      expect(attempts).toBe(2)
    }))
})
