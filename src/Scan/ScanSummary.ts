export type ScanSummary = {
  readonly root: string
  readonly elapsedMs: number
  readonly filesSeen: number
  readonly filesRead: number
  /** How many files the tag reader actually parsed (0 for an unchanged re-scan). */
  readonly tagsParsed: number
  readonly vanished: number
  readonly songs: number
  readonly albums: number
  readonly artists: number
  readonly genres: number
  readonly notAudio: number
  readonly corrupt: number
  readonly hidden: number
  readonly symlinkedFolders: number
  /** The scan generation written, undefined when the collection was unchanged and nothing was written. */
  readonly generation: number | undefined
}

export const formatScanSummary = (summary: ScanSummary): string =>
  [
    `Scanned ${summary.root} in ${(summary.elapsedMs / 1000).toFixed(2)} s: ${summary.filesSeen} files seen, ${summary.filesRead} read, ${summary.vanished} gone`,
    `Songs written: ${summary.songs}${summary.generation === undefined ? " (collection unchanged, nothing written)" : ` (scan generation ${summary.generation})`}`,
    `Skipped: ${summary.notAudio} not audio, ${summary.corrupt} corrupt, ${summary.hidden} hidden, ${summary.symlinkedFolders} symlinked folders`,
    `Collection: ${summary.albums} albums, ${summary.artists} artists, ${summary.genres} genres`,
    ""
  ].join("\n")
