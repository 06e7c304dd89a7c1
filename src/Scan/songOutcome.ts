import type { SongTags } from "../Domain/Collection.js"

/**
 * The parts of a music-metadata result the scan uses. `IAudioMetadata` fits it, and so does what the fast tag
 * readers collect (`TagCollector`), so both go through the same rules below.
 */
export type ParsedTags = {
  readonly common: {
    readonly title?: string | undefined
    readonly album?: string | undefined
    readonly artist?: string | undefined
    readonly artists?: ReadonlyArray<string> | undefined
    readonly genre?: ReadonlyArray<string> | undefined
    readonly track: { readonly no: number | null }
    readonly date?: string | undefined
    readonly year?: number | undefined
  }
  readonly native: Readonly<Record<string, ReadonlyArray<{ readonly id: string; readonly value: unknown }>>>
  readonly quality: { readonly warnings: ReadonlyArray<{ readonly message: string }> }
}

export type SongOutcome = { readonly kind: "song"; readonly tags: SongTags; readonly warnings: ReadonlyArray<string> }

/** A song's row from its tags and duration (seconds; undefined when unknown), with the warnings it deserves. */
export const songOutcome = (metadata: ParsedTags, duration: number | undefined): SongOutcome => {
  const warnings: Array<string> = []
  if (duration === undefined || !Number.isFinite(duration)) warnings.push("duration unknown: length stored as 0")
  return { kind: "song", tags: songTags(metadata, duration, warnings), warnings }
}

const songTags = (metadata: ParsedTags, duration: number | undefined, warnings: Array<string>): SongTags => {
  const { common } = metadata
  return {
    name: text(common.title),
    album: text(common.album),
    artist: text(id3v23Artist(metadata) ?? common.artist ?? common.artists?.[0]),
    genre: text(common.genre?.[0]),
    track: trackNumber(metadata, warnings),
    year: releaseYear(metadata, warnings),
    length: duration !== undefined && Number.isFinite(duration) && duration > 0 ? Math.trunc(duration) : 0
  }
}

const text = (value: string | undefined): string => (value ?? "").replaceAll("\u0000", "").trim()

const maxInteger = 2_147_483_647

// ID3v2.2/2.3 store several artists as "A/B" and music-metadata splits them, so "AC/DC" would become "AC".
// The original kept the frame text whole; re-join unless the tag used (non-standard) NUL separators.
const id3v23Artist = (metadata: ParsedTags): string | undefined => {
  for (const [tagType, frameId] of [["ID3v2.3", "TPE1"], ["ID3v2.2", "TP1"]] as const) {
    const values = (metadata.native[tagType] ?? []).filter((tag) => tag.id === frameId).map((tag) => String(tag.value))
    const nulSeparated = metadata.quality.warnings.some((warning) => warning.message.includes(`${frameId} uses non standard null-separator`))
    if (values.length > 1 && !nulSeparated && values[0] === metadata.common.artist) return values.join("/")
  }
  return undefined
}

const nativeTrackIds = new Set(["trck", "trk", "tracknumber", "track", "wm/tracknumber", "wm/track", "trkn", "itrk", "iprt"])

const trackNumber = (metadata: ParsedTags, warnings: Array<string>): number => {
  const no = metadata.common.track.no
  if (no !== null && Number.isSafeInteger(no) && no > 0 && no <= maxInteger) return no
  // music-metadata turns junk like "A1" into null, the same as a missing tag: look at the raw value to warn.
  const raw = Object.values(metadata.native).flat().find((tag) => nativeTrackIds.has(tag.id.toLowerCase()))?.value
  const rawText = raw === undefined || raw === null ? "" : typeof raw === "object" ? JSON.stringify(raw) : String(raw)
  if (rawText.trim() !== "" && !/^\s*0*\s*(\/.*)?$/.test(rawText)) {
    warnings.push(`unparseable track number ${JSON.stringify(rawText)}: stored as 0`)
  }
  return 0
}

const yearPattern = /^(\d{4})(?:$|[^\d]|\d{4}$)/

const releaseYear = (metadata: ParsedTags, warnings: Array<string>): number => {
  const { date, year } = metadata.common
  if (typeof date === "string" && date.trim() !== "") {
    // common.year is parseInt of the date's first 4 characters ("05/06/2004" gives 5), so parse the date itself.
    const match = yearPattern.exec(date.trim())
    if (match?.[1] !== undefined) return Number(match[1])
    warnings.push(`unparseable date ${JSON.stringify(date)}: year stored as 0`)
    return 0
  }
  if (year === undefined) return 0
  if (Number.isSafeInteger(year) && year >= 0 && year <= maxInteger) return year
  warnings.push("unparseable year: stored as 0")
  return 0
}
