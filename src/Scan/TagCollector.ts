import type { ParsedTags } from "./songOutcome.js"

/** The common fields the scan uses, as music-metadata's MetadataCollector fills them. */
export type CommonId = "title" | "album" | "artist" | "artists" | "genre" | "track" | "date" | "year"

// MetadataCollector's TagPriority (a lower number wins), and the pseudo tag type it fills plural/singular
// artists from.
const priorities: Readonly<Record<string, number>> = {
  matroska: 1, APEv2: 2, vorbis: 3, "ID3v2.4": 4, "ID3v2.3": 5, "ID3v2.2": 6, exif: 7, asf: 8, iTunes: 9, AIFF: 10, ID3v1: 11,
  artificial: 500
}

type Common = {
  title?: string
  album?: string
  artist?: string
  artists?: Array<string>
  genre?: Array<string>
  track: { no: number | null }
  date?: string
  year?: number
}

const joinArtists = (artists: ReadonlyArray<string>): string =>
  artists.length > 2 ? `${artists.slice(0, artists.length - 1).join(", ")} & ${artists[artists.length - 1]}` : artists.join(" & ")

/**
 * What the fast tag readers gather, in the shape of music-metadata's result as far as `songOutcome` reads it.
 * `add` replays MetadataCollector.addTag for tags whose common id is one of `CommonId` (or none): the same
 * priorities, the same last-one-wins and first-one-wins rules, the same artist/artists cross-filling.
 */
export class TagCollector implements ParsedTags {
  readonly common: Common = { track: { no: null } }
  readonly native: Record<string, Array<{ readonly id: string; readonly value: string }>> = {}
  readonly quality: { readonly warnings: Array<{ readonly message: string }> } = { warnings: [] }
  private readonly origin: Partial<Record<CommonId, number>> = {}

  warn(message: string): void {
    this.quality.warnings.push({ message })
  }

  add(tagType: string, id: string, value: string, commonId: CommonId | undefined): void {
    ;(this.native[tagType] ??= []).push({ id, value })
    if (commonId !== undefined) this.postMap(tagType, commonId, value)
  }

  private postMap(tagType: string, id: CommonId, value: string): void {
    switch (id) {
      case "artist":
        return this.singularArtist(tagType, value)
      case "artists":
        return this.pluralArtist(tagType, value)
      case "track":
        this.common.track = { no: Number.parseInt(value.split("/")[0]!, 10) || null }
        return
      case "year":
        return this.setYear(tagType, Number.parseInt(value, 10))
      case "date": {
        const year = Number.parseInt(value.substr(0, 4), 10)
        if (!Number.isNaN(year)) this.common.year = year
        return this.setGeneric(tagType, "date", value)
      }
      default:
        return this.setGeneric(tagType, id, value)
    }
  }

  private singularArtist(tagType: string, value: string): void {
    if (this.origin.artist === priorities[tagType]) return this.pluralArtist("artificial", value)
    if (!this.common.artists) this.setGeneric("artificial", "artists", value)
    this.setGeneric(tagType, "artist", value)
  }

  private pluralArtist(tagType: string, value: string): void {
    if (!this.common.artist || this.origin.artist === priorities.artificial) {
      if (!this.common.artists || !this.common.artists.includes(value)) {
        this.setGeneric("artificial", "artist", joinArtists([...(this.common.artists ?? []), value]))
      }
    }
    this.setGeneric(tagType, "artists", value)
  }

  private setGeneric(tagType: string, id: Exclude<CommonId, "track" | "year">, value: string): void {
    const before = this.origin[id] || 1000
    const priority = priorities[tagType]!
    if (id === "artists" || id === "genre") {
      if (priority === before) {
        const values = this.common[id]!
        if (!values.includes(value)) values.push(value)
      } else if (priority < before) {
        this.common[id] = [value]
        this.origin[id] = priority
      }
    } else if (priority <= before) {
      this.common[id] = value
      this.origin[id] = priority
    }
  }

  private setYear(tagType: string, value: number): void {
    const priority = priorities[tagType]!
    if (priority <= (this.origin.year || 1000)) {
      this.common.year = value
      this.origin.year = priority
    }
  }
}
