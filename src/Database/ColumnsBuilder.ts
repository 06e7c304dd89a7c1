import type { NamedColumns, SongColumns } from "../Domain/Collection.js"
import { hexValue, writeUuidBytes } from "../Domain/Ids.js"

/** A stored id that is not a UUID (the original Avalon fails on it too). */
export class MalformedId extends Error {
  constructor(readonly table: string, readonly column: string, readonly value: unknown) {
    super(`${table}.${column} holds ${JSON.stringify(String(value))}, which is not a UUID`)
  }
}

/** The 32 hex digits `text[from .. from + 31]` as 16 bytes at `out[at ..]`; false when one is not a hex digit. */
const writeHexId = (text: string, from: number, out: Uint8Array, at: number): boolean => {
  for (let i = 0; i < 16; i++) {
    const high = hexValue(text.charCodeAt(from + 2 * i))
    const low = hexValue(text.charCodeAt(from + 2 * i + 1))
    if ((high | low) < 0) return false
    out[at + i] = (high << 4) | low
  }
  return true
}

const textOf = (value: unknown): string => typeof value === "string" ? value : value === null || value === undefined ? "" : String(value)

const grown = <A extends Uint8Array | Float64Array>(array: A, length: number, make: (length: number) => A): A => {
  const next = make(length)
  next.set(array)
  return next
}

/**
 * Collects the rows of `albums`, `artists` or `genres` (`[id, name]` value arrays) into columns, so that
 * no row object outlives its page.
 */
export class NamedColumnsBuilder {
  private ids: Uint8Array
  private readonly names: Array<string> = []

  constructor(private readonly table: string, expected: number) {
    this.ids = new Uint8Array(16 * Math.max(1, expected))
  }

  /** Adds the row `[id, name]`. */
  push(row: ReadonlyArray<unknown>): void {
    const at = 16 * this.names.length
    if (at + 16 > this.ids.length) this.ids = grown(this.ids, 2 * this.ids.length, (n) => new Uint8Array(n))
    const id = row[0]
    if (typeof id !== "string" || !writeUuidBytes(id, this.ids, at)) throw new MalformedId(this.table, "id", id)
    this.names.push(textOf(row[1]))
  }

  finish(): NamedColumns {
    const size = this.names.length
    return { size, ids: this.ids.length === 16 * size ? this.ids : this.ids.slice(0, 16 * size), names: this.names }
  }
}

/** The columns of `SELECT id, name, length, track, year, album_id, artist_id, genre_id FROM tracks`. */
export const songColumnList = "id, name, length, track, year, album_id, artist_id, genre_id"

/** Collects `tracks` rows (value arrays in `songColumnList` order) into columns. */
export class SongColumnsBuilder {
  private size = 0
  private capacity: number
  private ids: Uint8Array
  private albumIds: Uint8Array
  private artistIds: Uint8Array
  private genreIds: Uint8Array
  private length: Float64Array
  private track: Float64Array
  private year: Float64Array
  private readonly names: Array<string> = []

  constructor(expected: number) {
    const capacity = Math.max(1, expected)
    this.capacity = capacity
    this.ids = new Uint8Array(16 * capacity)
    this.albumIds = new Uint8Array(16 * capacity)
    this.artistIds = new Uint8Array(16 * capacity)
    this.genreIds = new Uint8Array(16 * capacity)
    this.length = new Float64Array(capacity)
    this.track = new Float64Array(capacity)
    this.year = new Float64Array(capacity)
  }

  /** Adds a row of values in `songColumnList` order. */
  push(row: ReadonlyArray<unknown>): void {
    if (this.size === this.capacity) this.grow()
    const song = this.size
    this.id("id", row[0], this.ids, song)
    this.id("album_id", row[5], this.albumIds, song)
    this.id("artist_id", row[6], this.artistIds, song)
    this.id("genre_id", row[7], this.genreIds, song)
    this.size++
    this.names.push(typeof row[1] === "string" ? row[1] : "")
    this.length[song] = Number(row[2] ?? 0)
    this.track[song] = Number(row[3] ?? 0)
    this.year[song] = Number(row[4] ?? 0)
  }

  /**
   * Adds the row `[ids, name, length, track, year]` where `ids` holds the song's id, album, artist and genre
   * ids as 128 hex digits in a row.
   */
  pushWithIds(row: ReadonlyArray<unknown>): void {
    if (this.size === this.capacity) this.grow()
    const song = this.size
    const ids = row[0]
    const columns = [this.ids, this.albumIds, this.artistIds, this.genreIds] as const
    for (let column = 0; column < 4; column++) {
      if (typeof ids !== "string" || ids.length !== 128 || !writeHexId(ids, 32 * column, columns[column]!, 16 * song)) {
        throw new MalformedId("tracks", "id, album_id, artist_id or genre_id", ids)
      }
    }
    this.size++
    this.names.push(typeof row[1] === "string" ? row[1] : "")
    this.length[song] = Number(row[2] ?? 0)
    this.track[song] = Number(row[3] ?? 0)
    this.year[song] = Number(row[4] ?? 0)
  }

  /**
   * Adds `count` songs given as columns: `ids` holds each song's id, album, artist and genre ids as 128
   * hex digits in a row, the other arrays one value per song (a name text or null). False, having added
   * nothing, when they are not exactly that (the caller then reads those rows one by one, which names the
   * bad value).
   */
  pushPage(
    count: number,
    ids: string,
    names: ReadonlyArray<unknown>,
    length: ReadonlyArray<unknown>,
    track: ReadonlyArray<unknown>,
    year: ReadonlyArray<unknown>
  ): boolean {
    if (ids.length !== 128 * count || names.length !== count) return false
    for (let song = 0; song < count; song++) {
      const name = names[song]
      if (typeof name !== "string" && name !== null) return false
    }
    // Node decodes hex natively and stops at the first pair that is not hex: a short result means a bad digit.
    const bytes = Buffer.from(ids, "hex")
    if (bytes.length !== 64 * count) return false
    while (this.size + count > this.capacity) this.grow()
    const first = this.size
    const columns = [this.ids, this.albumIds, this.artistIds, this.genreIds]
    for (let column = 0; column < 4; column++) {
      const out = columns[column]!
      for (let song = 0; song < count; song++) {
        const from = 64 * song + 16 * column
        const to = 16 * (first + song)
        for (let i = 0; i < 16; i++) out[to + i] = bytes[from + i]!
      }
    }
    for (let song = 0; song < count; song++) {
      const name = names[song]
      this.names.push(typeof name === "string" ? name : "")
      this.length[first + song] = Number(length[song] ?? 0)
      this.track[first + song] = Number(track[song] ?? 0)
      this.year[first + song] = Number(year[song] ?? 0)
    }
    this.size += count
    return true
  }

  finish(): SongColumns {
    const { size } = this
    const ids = (bytes: Uint8Array) => bytes.length === 16 * size ? bytes : bytes.slice(0, 16 * size)
    const numbers = (values: Float64Array) => values.length === size ? values : values.slice(0, size)
    return {
      size,
      ids: ids(this.ids),
      names: this.names,
      length: numbers(this.length),
      track: numbers(this.track),
      year: numbers(this.year),
      albumIds: ids(this.albumIds),
      artistIds: ids(this.artistIds),
      genreIds: ids(this.genreIds)
    }
  }

  private id(column: string, value: unknown, out: Uint8Array, song: number): void {
    if (typeof value !== "string" || !writeUuidBytes(value, out, 16 * song)) throw new MalformedId("tracks", column, value)
  }

  private grow(): void {
    const capacity = 2 * this.capacity
    const bytes = (n: number) => new Uint8Array(n)
    const floats = (n: number) => new Float64Array(n)
    this.ids = grown(this.ids, 16 * capacity, bytes)
    this.albumIds = grown(this.albumIds, 16 * capacity, bytes)
    this.artistIds = grown(this.artistIds, 16 * capacity, bytes)
    this.genreIds = grown(this.genreIds, 16 * capacity, bytes)
    this.length = grown(this.length, capacity, floats)
    this.track = grown(this.track, capacity, floats)
    this.year = grown(this.year, capacity, floats)
    this.capacity = capacity
  }
}
