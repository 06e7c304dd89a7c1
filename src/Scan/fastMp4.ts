import { id3v1Genres } from "./id3v1Genres.js"
import { type SongOutcome, songOutcome } from "./songOutcome.js"
import { type CommonId, TagCollector } from "./TagCollector.js"

const itunesCommonIds: Readonly<Record<string, CommonId>> = {
  "©NAM": "title", "©ART": "artist", "©ALB": "album", "©DAY": "date", TRKN: "track", "©GEN": "genre", GNRE: "genre",
  "----:COM.APPLE.ITUNES:ARTISTS": "artists"
}

// Atom.readData's containers: their children are read with the same handler.
const containers = new Set(["moov", "udta", "mdia", "minf", "stbl", "<id>", "ilst", "tref", "moof", "meta"])

const validFourCC = /^[\x21-\x7e©][\x20-\x7e\x00()]{3}/

const utf8 = new TextDecoder("utf-8")

/** token-types' "ascii" strings keep the low 7 bits of each byte. */
const ascii = (bytes: Buffer): string => {
  let text = ""
  for (const byte of bytes) text += String.fromCharCode(byte & 0x7f)
  return text
}

class Decline extends Error {}

const decline = (): never => {
  throw new Decline()
}

type Track = {
  trackId?: number
  handlerType?: string
  timeScale?: number
  duration?: number
  sampleDescriptions?: Array<{ readonly numAudioChannels: number | undefined }>
  sampleSizes?: boolean
}

/** A table atom (stts, stsc, stco, stsz) as SimpleTableAtom/StszAtom check it. */
const checkTable = (payload: Buffer, countAt: number, entrySize: number): void => {
  if (payload.length < countAt + 4) decline()
  const remaining = payload.length - countAt - 4
  if (remaining !== 0 && remaining !== payload.readInt32BE(countAt) * entrySize) decline()
}

const sampleDescriptions = (payload: Buffer): NonNullable<Track["sampleDescriptions"]> => {
  if (payload.length < 8) decline()
  const count = payload.readUInt32BE(4)
  const table: NonNullable<Track["sampleDescriptions"]> = []
  let at = 8
  for (let n = 0; n < count; n++) {
    if (payload.length - at < 4) decline()
    const size = payload.readUInt32BE(at)
    if (size < 16 || size > payload.length - at) decline()
    if (!validFourCC.test(payload.toString("latin1", at + 4, at + 8))) decline()
    const description = size - 16 > 0 ? payload.subarray(at + 16, at + size) : undefined
    let numAudioChannels: number | undefined
    if (description !== undefined && description.length >= 8) {
      const version = description.readInt16BE(0)
      if ((version === 0 || version === 1) && description.length >= 20) numAudioChannels = description.readInt16BE(8)
    }
    table.push({ numAudioChannels })
    at += size
  }
  return table
}

/**
 * An MP4/M4A file as music-metadata's MP4Parser reads it, for the plain layouts: ftyp, moov with mvhd, tracks
 * (tkhd, mdhd, hdlr, stsd and the sample tables) and udta/meta/ilst items of text, track/disk numbers and genre
 * numbers. Undefined for anything else (fragments, chapters, 64-bit or open-ended atoms, integer or unknown
 * item types, damaged atoms).
 */
export const fastMp4 = (buffer: Buffer): SongOutcome | undefined => {
  try {
    return readMp4(buffer)
  } catch (error) {
    if (error instanceof Decline) return undefined
    throw error
  }
}

const readMp4 = (buffer: Buffer): SongOutcome | undefined => {
  const tags = new TagCollector()
  const tracks = new Map<number, Track>()
  let container: string | undefined

  type Leaf = (name: string, payload: Buffer, parent: string | undefined) => void

  /** Atom.readAtom at `at`, within `end`: a container's children go to `leaf` too. The offset after it. */
  const readAtom = (at: number, end: number, leaf: Leaf, parent: string | undefined): number => {
    if (end - at < 8) decline()
    const length = buffer.readUInt32BE(at)
    const name = buffer.toString("latin1", at + 4, at + 8)
    if (length < 8 || length > end - at) decline()
    const payloadStart = at + 8
    const atomEnd = at + length
    if (containers.has(name)) {
      if (name === "moof") decline()
      let childStart = payloadStart
      if (name === "meta") {
        if (atomEnd - payloadStart < 8) decline()
        if (buffer.toString("latin1", payloadStart + 4, payloadStart + 8) !== "hdlr") childStart += 4
      }
      readAtoms(childStart, atomEnd, leaf, name)
    } else leaf(name, buffer.subarray(payloadStart, atomEnd), parent)
    return atomEnd
  }

  const readAtoms = (start: number, end: number, leaf: Leaf, parent: string | undefined): void => {
    for (let at = start; at < end;) at = readAtom(at, end, leaf, parent)
  }

  const trackLeaf = (track: Track) => (name: string, payload: Buffer): void => {
    switch (name) {
      case "chap":
        return decline()
      case "tkhd": {
        if (payload.length < 4) decline()
        const version = payload[0]
        if (version === 0 && payload.length >= 38) track.trackId = payload.readUInt32BE(12)
        else if (version === 1 && payload.length >= 50) track.trackId = payload.readUInt32BE(20)
        else decline()
        return
      }
      case "hdlr":
        if (payload.length < 12) decline()
        track.handlerType = utf8.decode(payload.subarray(8, 12))
        return
      case "mdhd": {
        if (payload.length < 24) decline()
        const version = payload[0]
        if (version === 0) {
          track.timeScale = payload.readUInt32BE(12)
          track.duration = payload.readUInt32BE(16)
        } else if (version === 1 && payload.length >= 36) {
          track.timeScale = payload.readUInt32BE(20)
          track.duration = Number(payload.readBigUInt64BE(24))
        } else decline()
        return
      }
      case "stsd":
        track.sampleDescriptions = sampleDescriptions(payload)
        return
      case "stts":
        return checkTable(payload, 4, 8)
      case "stsc":
        return checkTable(payload, 4, 12)
      case "stco":
        return checkTable(payload, 4, 4)
      case "stsz":
        checkTable(payload, 8, 4)
        track.sampleSizes = true
        return
      default:
    }
  }

  const itemValue = (key: string, payload: Buffer): void => {
    if (payload.length < 8 || payload[0] !== 0) decline()
    const type = payload.readUIntBE(1, 3)
    const value = payload.subarray(8)
    let text: string | undefined
    switch (type) {
      case 0:
        if (key === "trkn" || key === "disk") {
          if (value.length < 6) decline()
          text = `${value[3]}/${value[5]}`
        } else if (key === "gnre") {
          if (value.length < 2) decline()
          text = id3v1Genres[value[1]! - 1] ?? decline()
        } else if (key === "rate") text = ascii(value)
        break
      case 1:
      case 18:
        text = utf8.decode(value)
        break
      case 13:
      case 14:
        break
      case 21:
      case 22:
      case 65:
      case 66:
      case 67:
        return decline()
      default:
    }
    if (text !== undefined) tags.add("iTunes", key, text, itunesCommonIds[key.toUpperCase()])
  }

  const metadataItem = (name: string, payload: Buffer): void => {
    let key = name
    const base = payload.byteOffset - buffer.byteOffset
    readAtoms(base, base + payload.length, (child, data) => {
      switch (child) {
        case "data":
          return itemValue(key, data)
        case "name":
        case "mean":
        case "rate":
          if (data.length < 4) decline()
          key += `:${utf8.decode(data.subarray(4))}`
          return
        default:
      }
    }, name)
  }

  const rootLeaf = (name: string, payload: Buffer, parent: string | undefined): void => {
    if (parent === "ilst" || parent === "<id>") return metadataItem(name, payload)
    if (parent === "moov" && name === "trak") {
      const track: Track = {}
      const base = payload.byteOffset - buffer.byteOffset
      readAtoms(base, base + payload.length, trackLeaf(track), "trak")
      if (track.trackId === undefined) decline()
      tracks.set(track.trackId!, track)
      return
    }
    switch (name) {
      case "mvhd":
        if (payload.length < 100 || (payload[0] === 1 && payload.length < 112)) decline()
        return
      case "ftyp": {
        if (payload.length < 8 || payload.length % 4 !== 0) decline()
        const types: Array<string> = []
        for (let at = 0; at < payload.length; at += 4) {
          const type = ascii(payload.subarray(at, at + 4)).replace(/\W/g, "")
          if (type.length > 0 && !types.includes(type)) types.push(type)
        }
        container = types.join("/")
        return
      }
      case "chap":
      case "stsd":
      case "stsz":
      case "date":
        return decline()
      default:
    }
  }

  // MP4Parser.parse: root atoms until the end; a short tail or a zero name ends it (with a warning).
  for (let at = 0; at < buffer.length;) {
    if (buffer.length - at < 8 || buffer.readUInt32BE(at + 4) === 0) break
    at = readAtom(at, buffer.length, rootLeaf, undefined)
  }
  if (container === undefined) return undefined

  const audioTracks: Array<Track> = []
  for (const track of tracks.values()) {
    const first = (track.sampleDescriptions ?? decline())[0]
    if (first === undefined) continue
    if (track.handlerType !== undefined ? track.handlerType === "audi" || track.handlerType === "soun" : (first.numAudioChannels ?? 0) > 0) {
      // MP4Parser then reads the stts table (timescale 0) or the stsz table (no fragments), absent or not.
      if (track.timeScale === 0 || (track.timeScale !== undefined && track.sampleSizes !== true)) decline()
      audioTracks.push(track)
    }
  }
  const first = audioTracks[0]
  const duration = first?.timeScale !== undefined && first.duration !== undefined && first.duration > 0 ? first.duration / first.timeScale : undefined
  return songOutcome(tags, duration)
}
