import type { ScanStamps } from "../Database/Database.js"
import type { ScanSummary } from "./ScanSummary.js"
import type { WalkResult } from "./walkCollection.js"

/** What the summary of an unchanged collection takes from the database: the stamps and the named tables' sizes. */
export type UnchangedCounts = Omit<ScanStamps, "generation">

/** The summary of a scan that found the files of the stamps unchanged, and so wrote nothing. */
export const unchangedSummary = (walk: WalkResult, stamps: UnchangedCounts, elapsedMs: number): ScanSummary => {
  let songs = 0
  let notAudio = 0
  let corrupt = 0
  for (const { outcome } of stamps.files) {
    if (outcome === "song") songs++
    else if (outcome === "not-audio") notAudio++
    else corrupt++
  }
  return {
    root: walk.root,
    elapsedMs,
    filesSeen: walk.files.length,
    filesRead: 0,
    tagsParsed: 0,
    vanished: 0,
    songs,
    albums: stamps.albums,
    artists: stamps.artists,
    genres: stamps.genres,
    notAudio,
    corrupt,
    hidden: walk.hiddenSkipped,
    symlinkedFolders: walk.symlinkedFoldersSkipped,
    generation: undefined
  }
}
