import { readFileSync } from "node:fs"
import type { SongTags } from "../../src/Domain/Collection.js"

export const fixtureRoot = new URL("../fixtures/collection/", import.meta.url).pathname.replace(/\/$/, "")

export type FixtureRow =
  | { readonly file: string; readonly kind: "song"; readonly tags: SongTags; readonly warning: string | undefined }
  | { readonly file: string; readonly kind: "corrupt" | "not-audio"; readonly reason: string }

const text = (cell: string): string => (cell === '""' ? "" : cell)

/** The expectations table of test/fixtures/README.md, so the README and the tests cannot drift apart. */
export const fixtureTable = (): ReadonlyArray<FixtureRow> => {
  const readme = readFileSync(new URL("../fixtures/README.md", import.meta.url), "utf8")
  const rows = readme.split("\n").filter((line) => /^\| [a-z0-9]+\/\S+ \| (song|corrupt|not-audio) \|/.test(line))
  return rows.map((line): FixtureRow => {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim())
    const [file = "", kind, name = "", album = "", artist = "", genre = "", track, year, length, last = ""] = cells
    if (kind === "song") {
      return {
        file,
        kind,
        tags: { name: text(name), album: text(album), artist: text(artist), genre: text(genre), track: Number(track), year: Number(year), length: Number(length) },
        warning: last === "—" ? undefined : last
      }
    }
    if (kind === "corrupt" || kind === "not-audio") return { file, kind, reason: last }
    throw new Error(`fixtures README: unexpected row ${line}`)
  })
}
