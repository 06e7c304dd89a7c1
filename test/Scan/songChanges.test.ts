import { describe, expect, it } from "vitest"
import type { FileOutcome, FileState } from "../../src/Database/Database.js"
import type { SongRow } from "../../src/Domain/Collection.js"
import { diffNamedRows, type EntityChanges } from "../../src/Domain/CollectionChanges.js"
import { songId } from "../../src/Domain/Ids.js"
import { collectionFromFiles } from "../../src/Scan/collectionFromFiles.js"
import { songChanges } from "../../src/Scan/songChanges.js"
import { seededRandom } from "../support/seededRandom.js"

const state = (path: string, tags: Partial<FileState["tags"]> = {}, outcome: FileOutcome = "song"): FileState => ({
  path,
  size: 1,
  mtimeMs: 1,
  outcome,
  tags: { name: "Song", album: "Album", artist: "Artist", genre: "Genre", track: 1, year: 2000, length: 60, ...tags }
})

const byPath = (states: ReadonlyArray<FileState>) => new Map(states.map((file) => [file.path, file]))

const sorted = (changes: EntityChanges) => ({ added: [...changes.added].sort(), changed: [...changes.changed].sort(), removed: [...changes.removed].sort() })

describe("songChanges", () => {
  it("finds added, changed and removed songs by path, including files that became or stopped being songs", () => {
    const kept = state("/m/kept.mp3")
    const previous = byPath([
      kept,
      state("/m/retitled.mp3"),
      state("/m/touched.mp3"),
      state("/m/gone.mp3"),
      state("/m/now-corrupt.mp3"),
      state("/m/was-corrupt.mp3", {}, "corrupt"),
      state("/m/cover.jpg", {}, "not-audio")
    ])
    const current = byPath([
      kept,
      state("/m/retitled.mp3", { name: "New title" }),
      state("/m/touched.mp3"), // read again (a new object), same tags: the row is the same
      state("/m/now-corrupt.mp3", {}, "corrupt"),
      state("/m/was-corrupt.mp3"),
      state("/m/cover.jpg", {}, "not-audio"),
      state("/m/new.mp3"),
      state("/m/new.txt", {}, "not-audio")
    ])
    expect(sorted(songChanges(previous, current, songId))).toEqual(sorted({
      added: ["/m/was-corrupt.mp3", "/m/new.mp3"].map(songId),
      changed: [songId("/m/retitled.mp3")],
      removed: ["/m/gone.mp3", "/m/now-corrupt.mp3"].map(songId)
    }))
  })

  it("sees a change of any field of the row, but not a change of album, artist or genre case (same ids)", () => {
    const fields: ReadonlyArray<Partial<FileState["tags"]>> = [
      { name: "x" },
      { track: 2 },
      { year: 2001 },
      { length: 61 },
      { album: "Other" },
      { artist: "Other" },
      { genre: "Other" }
    ]
    for (const tags of fields) {
      expect(songChanges(byPath([state("/m/a.mp3")]), byPath([state("/m/a.mp3", tags)]), songId).changed).toEqual([songId("/m/a.mp3")])
    }
    const recased = state("/m/a.mp3", { album: "ALBUM", artist: "artist", genre: "GeNrE" })
    expect(songChanges(byPath([state("/m/a.mp3")]), byPath([recased]), songId)).toEqual({ added: [], changed: [], removed: [] })
  })

  it("is the diff of the tracks rows, on random collections", () => {
    const random = seededRandom(7)
    const words = ["Punk", "punk", "Ska", "Björk", "BJÖRK", ""]
    const randomState = (path: string): FileState =>
      random(6) === 0
        ? state(path, {}, random(2) === 0 ? "corrupt" : "not-audio")
        : state(path, { name: words[random(6)]!, album: words[random(6)]!, artist: words[random(6)]!, genre: words[random(6)]!, track: random(3), year: random(2), length: random(2) })
    const rowDiff = (before: ReadonlyArray<SongRow>, after: ReadonlyArray<SongRow>): EntityChanges => {
      const rows = new Map(before.map((row) => [row.id, JSON.stringify(row)]))
      const ids = new Set(after.map((row) => row.id))
      return {
        added: after.filter((row) => !rows.has(row.id)).map((row) => row.id),
        changed: after.filter((row) => rows.has(row.id) && rows.get(row.id) !== JSON.stringify(row)).map((row) => row.id),
        removed: before.filter((row) => !ids.has(row.id)).map((row) => row.id)
      }
    }
    for (let round = 0; round < 200; round++) {
      const paths = Array.from({ length: 12 }, (_, i) => `/m/${i}.mp3`)
      const previous = paths.filter(() => random(4) !== 0).map(randomState)
      const current = paths.flatMap((path): Array<FileState> => {
        const before = previous.find((file) => file.path === path)
        const roll = random(4)
        if (roll === 0) return []
        if (before === undefined || roll === 1) return [randomState(path)]
        if (roll === 2) return [before]
        // One field of the file re-read: often the same row (or a case-only change of a name), often one field off.
        const field = (["name", "album", "artist", "genre", "track", "year", "length"] as const)[random(7)]!
        const value = typeof before.tags[field] === "number" ? random(2) : words[random(6)]!
        return [{ ...before, tags: { ...before.tags, [field]: value } }]
      })
      const expected = rowDiff(collectionFromFiles(previous).songs, collectionFromFiles(current).songs)
      expect(sorted(songChanges(byPath(previous), byPath(current), songId))).toEqual(sorted(expected))
    }
  })
})

describe("diffNamedRows", () => {
  it("finds new ids, a changed spelling and removed ids", () => {
    const previous = [{ id: "a", name: "Punk" }, { id: "b", name: "Ska" }, { id: "c", name: "Pop" }]
    const current = [{ id: "a", name: "PUNK" }, { id: "c", name: "Pop" }, { id: "d", name: "Jazz" }]
    expect(diffNamedRows(previous, current)).toEqual({ added: ["d"], changed: ["a"], removed: ["b"] })
    expect(diffNamedRows(current, current)).toEqual({ added: [], changed: [], removed: [] })
    expect(diffNamedRows([], current)).toEqual({ added: ["a", "c", "d"], changed: [], removed: [] })
    expect(diffNamedRows(previous, [])).toEqual({ added: [], changed: [], removed: ["a", "b", "c"] })
  })
})
