import { id3v1Genres } from "./id3v1Genres.js"
import { syncsafeInteger } from "./syncsafeInteger.js"
import type { CommonId, TagCollector } from "./TagCollector.js"

const id3CommonIds: Readonly<Record<string, CommonId>> = {
  TIT2: "title", TPE1: "artist", TALB: "album", TDRV: "date", TCON: "genre", TRCK: "track", TDRC: "date", TYER: "year"
}

// FrameParser.splitValue: ID3v2.3 lists these with "/" between values (TXXX and IPLS too, never read here).
const slashSeparated = new Set(["TPE1", "TPE2", "TPE3", "TPE4", "TCOM", "TEXT", "TOLY", "TOPE", "TSRC"])
const singleValued = new Set(["TRCK", "TPOS", "TIT1", "TIT2", "TIT3"])
const splitAlways = new Set(["TCOM", "TEXT", "TOLY", "TOPE", "TPE1", "TSRC"])

const utf8 = new TextDecoder("utf-8")

/** True for the four ID3v2 frame-id characters music-metadata accepts without a warning (A-Z, 0-9). */
const isFrameIdByte = (byte: number): boolean => (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)

const hasLoneSurrogate = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true
  }
  return false
}

/**
 * A text frame's string as music-metadata's decodeString gives it, or undefined for the cases left to it
 * (UTF-16BE, odd lengths, lone surrogates, unknown encodings).
 */
export const decodeId3Text = (bytes: Buffer, encoding: number): string | undefined => {
  let start = 0
  while (bytes[start] === 0xff && bytes[start + 1] === 0xfe) start += 2
  const body = bytes.subarray(start)
  switch (encoding) {
    case 0:
      return body.toString("latin1")
    case 1: {
      if (body[0] === 0xfe && body[1] === 0xff) return undefined
      if ((body.length & 1) !== 0) return undefined
      const text = body.toString("utf16le")
      return hasLoneSurrogate(text) ? undefined : text
    }
    case 3:
      return utf8.decode(body)
    default:
      return undefined
  }
}

const trimNullPadding = (value: string): string => {
  let end = value.length
  while (end > 0 && value.charCodeAt(end - 1) === 0) end--
  return end === value.length ? value : value.slice(0, end)
}

const genreCode = (code: string): string | undefined => {
  if (code === "RX") return "Remix"
  if (code === "CR") return "Cover"
  return /^\d*$/.test(code) ? id3v1Genres[Number.parseInt(code, 10)] : undefined
}

/** FrameParser's parseGenre: "(17)Rock", "(4)", "((text" and plain names. */
export const parseGenre = (original: string): Array<string> => {
  const genres: Array<string> = []
  let code: string | undefined
  let word = ""
  for (const c of original) {
    if (code !== undefined) {
      if (c === "(" && code === "") {
        word += "("
        code = undefined
      } else if (c === ")") {
        if (word !== "") {
          genres.push(word)
          word = ""
        }
        const genre = genreCode(code)
        if (genre) genres.push(genre)
        code = undefined
      } else code += c
    } else if (c === "(") code = ""
    else word += c
  }
  if (word) {
    const last = genres.length === 0 && /^\d*$/.test(word) ? genreCode(word) : word
    if (last) genres.push(last)
  }
  return genres
}

/**
 * Reads the ID3v2.3/2.4 tag at the start of `buffer` into `tags` as music-metadata's ID3v2Parser does, for
 * plain tags only: no tag flags (unsynchronisation, extended header, footer), frames without format flags,
 * text frames (not TXXX, TIPL, TMCL) and pictures (skipped), padding of zeros. The offset after the tag, or
 * undefined when anything else is there.
 */
export const readId3v2 = (buffer: Buffer, tags: TagCollector): number | undefined => {
  if (buffer.length < 10 || buffer[0] !== 0x49 || buffer[1] !== 0x44 || buffer[2] !== 0x33) return undefined
  const major = buffer[3]!
  if ((major !== 3 && major !== 4) || buffer[5] !== 0) return undefined
  if ((buffer[6]! | buffer[7]! | buffer[8]! | buffer[9]!) & 0x80) return undefined
  const size = syncsafeInteger(buffer, 6)
  const end = 10 + size
  if (end > buffer.length) return undefined
  const tagType = major === 4 ? "ID3v2.4" : "ID3v2.3"
  let offset = 10
  while (offset < end) {
    if (offset + 10 > end) break // music-metadata warns "Illegal ID3v2 tag length" and stops
    if (buffer[offset] === 0) {
      // Padding: music-metadata reads it as empty frames with warnings and no tags.
      for (let at = offset; at < end; at++) if (buffer[at] !== 0) return undefined
      break
    }
    for (let at = offset; at < offset + 4; at++) if (!isFrameIdByte(buffer[at]!)) return undefined
    const id = buffer.toString("latin1", offset, offset + 4)
    let length: number
    if (major === 4) {
      if ((buffer[offset + 4]! | buffer[offset + 5]! | buffer[offset + 6]! | buffer[offset + 7]!) & 0x80) return undefined
      length = syncsafeInteger(buffer, offset + 4)
    } else length = buffer.readUInt32BE(offset + 4)
    if (buffer[offset + 9] !== 0) return undefined
    const dataStart = offset + 10
    const dataEnd = dataStart + length
    if (dataEnd > end) return undefined
    offset = dataEnd
    if (length === 0) continue // "empty tag" warning, no value
    if (id === "APIC") continue // covers are skipped
    if (id[0] !== "T" || id === "TXXX" || id === "TIPL" || id === "TMCL") return undefined
    const decoded = decodeId3Text(buffer.subarray(dataStart + 1, dataEnd), buffer[dataStart]!)
    if (decoded === undefined) return undefined
    const text = trimNullPadding(decoded)
    const commonId = id3CommonIds[id]
    if (singleValued.has(id)) {
      tags.add(tagType, id, text, commonId)
      continue
    }
    let values: Array<string>
    if (id === "TCON" || splitAlways.has(id) || major === 4) {
      values = text.split("\u0000")
      if (major < 4) {
        if (values.length > 1) tags.warn(`ID3v2.${major} ${id} uses non standard null-separator.`)
        else if (slashSeparated.has(id)) values = text.split("/")
      }
      values = values.map((value) => trimNullPadding(value).trim())
      if (id === "TCON") values = values.flatMap(parseGenre)
    } else values = [text]
    for (const value of values) tags.add(tagType, id, value, commonId)
  }
  return end
}
