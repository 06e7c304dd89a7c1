import type { FileOutcome, FileStamp } from "./Database.js"

// Shared by the database layer and the quick re-scan, which reads them with better-sqlite3 alone.
export const fileStampsQuery = "SELECT path, size, mtime_ms, outcome FROM avalon_files"
export const namedCountsQuery =
  "SELECT (SELECT count(*) FROM albums) AS albums, (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM genres) AS genres"

export const isOutcome = (text: string): text is FileOutcome => text === "song" || text === "not-audio" || text === "corrupt"

/** The stamps of `fileStampsQuery`'s rows (as value arrays); a row of an unknown outcome is left out. */
export const fileStampsFromRows = (rows: ReadonlyArray<ReadonlyArray<unknown>>): Array<FileStamp> => {
  const files: Array<FileStamp> = []
  for (const [path, size, mtimeMs, outcome] of rows) {
    const kind = String(outcome)
    if (isOutcome(kind)) files.push({ path: String(path), size: Number(size), mtimeMs: Number(mtimeMs), outcome: kind })
  }
  return files
}

export type NamedCountsRow = { readonly albums: number | string; readonly artists: number | string; readonly genres: number | string }

export const namedCountsFromRow = (row: NamedCountsRow | undefined) => ({
  albums: Number(row?.albums ?? 0),
  artists: Number(row?.artists ?? 0),
  genres: Number(row?.genres ?? 0)
})
