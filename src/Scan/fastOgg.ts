import type { ByteSource } from "./flacStructureProblem.js"
import { oggDuration } from "./oggDuration.js"
import { type SongOutcome, songOutcome } from "./songOutcome.js"
import { TagCollector } from "./TagCollector.js"
import { readVorbisComments } from "./readVorbisComments.js"

/** token-types' "ascii" strings keep the low 7 bits of each byte. */
const ascii = (buffer: Buffer, start: number, length: number): string => {
  let text = ""
  for (let at = start; at < Math.min(buffer.length, start + length); at++) text += String.fromCharCode(buffer[at]! & 0x7f)
  return text
}

/** OggStream's codec detection: the first 7 bytes of the first page, printable ASCII only. */
const codecId = (page: Buffer): string => {
  let id = ""
  for (const byte of page.subarray(0, 7)) if (byte >= 32 && byte <= 126) id += String.fromCharCode(byte)
  return id
}

/** VorbisStream/OpusStream.parseFullPage: a comment header's tags; false to decline. */
const parseFullPage = (page: Buffer, opus: boolean, tags: TagCollector): { readonly comments: boolean } | undefined => {
  if (opus) {
    if (ascii(page, 0, 8) !== "OpusTags") return { comments: false }
    return readVorbisComments(page, 8, page.length, tags) ? { comments: true } : undefined
  }
  if (page.length === 0) return undefined
  if (page[0] !== 3) return { comments: false }
  return readVorbisComments(page, 7, page.length, tags) ? { comments: true } : undefined
}

/**
 * A single-stream Ogg Vorbis or Opus file as music-metadata's OggParser reads it: every page in order until the
 * last one (or until page 12, then the duration from the tail as readTags finds it), the comment header's tags.
 * Undefined for anything else (several streams, other codecs, damaged pages, files cut short).
 */
export const fastOgg = (buffer: Buffer): SongOutcome | undefined => {
  const tags = new TagCollector()
  let position = 0
  let serial: number | undefined
  let opus = false
  let sampleRate = 0
  let preSkip = 0
  let metadataComplete = false
  let pending: Array<Buffer> = []
  let lastPage: { readonly last: boolean; readonly granule: number } | undefined
  let closed = false
  for (;;) {
    if (position + 27 > buffer.length) return undefined
    if (buffer.toString("latin1", position, position + 4) !== "OggS") return undefined
    const flags = buffer[position + 5]!
    const continued = (flags & 1) !== 0
    const first = (flags & 2) !== 0
    const last = (flags & 4) !== 0
    const granule = Number(buffer.readBigUInt64LE(position + 6))
    const pageSerial = buffer.readUInt32LE(position + 14)
    const sequence = buffer.readUInt32LE(position + 18)
    const segments = buffer[position + 26]!
    const dataStart = position + 27 + segments
    if (dataStart > buffer.length) return undefined
    let size = 0
    for (let at = position + 27; at < dataStart; at++) size += buffer[at]!
    const page = buffer.subarray(dataStart, dataStart + size)
    if (dataStart + size > buffer.length) return undefined
    position = dataStart + size
    if (serial === undefined) {
      if (!first) return undefined
      serial = pageSerial
      const id = codecId(page)
      if (id === "OpusHea") opus = true
      else if (id !== "vorbis") return undefined
    } else if (pageSerial !== serial || first) return undefined
    if (last) closed = true
    lastPage = { last, granule }
    if (first) {
      if (opus) {
        if (page.length < 19 || ascii(page, 0, 8) !== "OpusHead") return undefined
        preSkip = page.readUInt16LE(10)
        sampleRate = page.readUInt32LE(12)
      } else {
        if (page.length < 30 || page[0] !== 1 || ascii(page, 1, 6) !== "vorbis") return undefined
        sampleRate = page.readUInt32LE(12)
      }
    } else {
      if (continued) {
        if (pending.length === 0) return undefined
        pending.push(page)
      }
      if (last || !continued) {
        if (pending.length > 0) {
          const parsed = parseFullPage(pending.length === 1 ? pending[0]! : Buffer.concat(pending), opus, tags)
          if (parsed === undefined) return undefined
          if (parsed.comments) metadataComplete = true
        }
        pending = last ? [] : [page]
      }
    }
    if (sequence > 12 && metadataComplete) break
    if (closed) break
  }
  let duration: number | undefined
  if (!closed) {
    const parsed = parseFullPage(Buffer.concat(pending), opus, tags)
    if (parsed === undefined) return undefined
  } else if (lastPage?.last === true && sampleRate && lastPage.granule >= 0) {
    duration = opus ? (lastPage.granule - preSkip) / 48000 : lastPage.granule / sampleRate
  }
  if (duration === undefined) {
    const source: ByteSource = { size: buffer.length, read: (at, length) => buffer.subarray(at, at + length) }
    duration = oggDuration(source, opus ? "Opus" : "Vorbis I", sampleRate)
  }
  return songOutcome(tags, duration)
}
