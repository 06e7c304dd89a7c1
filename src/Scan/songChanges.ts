import type { FileState } from "../Database/Database.js"
import type { SongTags } from "../Domain/Collection.js"
import type { EntityChanges } from "../Domain/CollectionChanges.js"

/** Whether two files' tags give the same song row (album, artist and genre ids depend on the lowercased name). */
const sameRow = (a: SongTags, b: SongTags): boolean =>
  a.name === b.name && a.track === b.track && a.year === b.year && a.length === b.length &&
  (a.album === b.album || a.album.toLowerCase() === b.album.toLowerCase()) &&
  (a.artist === b.artist || a.artist.toLowerCase() === b.artist.toLowerCase()) &&
  (a.genre === b.genre || a.genre.toLowerCase() === b.genre.toLowerCase())

/**
 * The songs a scan added, changed and removed, from the file states of the previous scan and of this one, by
 * path. A song row is a function of its file's path and tags only, so this is the diff of the `tracks` rows
 * without reading them; a state the scan kept as it was (the same object) costs one lookup.
 */
export const songChanges = (
  previous: ReadonlyMap<string, FileState>,
  current: ReadonlyMap<string, FileState>,
  songIdOf: (path: string) => string
): EntityChanges => {
  const added: Array<string> = []
  const changed: Array<string> = []
  const removed: Array<string> = []
  let stillThere = 0
  for (const [path, state] of current) {
    const before = previous.get(path)
    if (before === undefined) {
      if (state.outcome === "song") added.push(songIdOf(path))
      continue
    }
    stillThere++
    if (before === state) continue
    if (state.outcome === "song") {
      if (before.outcome !== "song") added.push(songIdOf(path))
      else if (!sameRow(before.tags, state.tags)) changed.push(songIdOf(path))
    } else if (before.outcome === "song") removed.push(songIdOf(path))
  }
  if (stillThere < previous.size) {
    for (const [path, before] of previous) if (before.outcome === "song" && !current.has(path)) removed.push(songIdOf(path))
  }
  return { added, changed, removed }
}
