import type { SongOutcome } from "./songOutcome.js"
import { songOutcome } from "./songOutcome.js"
import { readId3v2 } from "./readId3v2.js"
import { TagCollector } from "./TagCollector.js"

// music-metadata's MpegFrameHeader tables.
const bitrates: ReadonlyArray<Readonly<Record<number, number>>> = [
  {},
  { 11: 32, 12: 32, 13: 32, 21: 32, 22: 8, 23: 8 },
  { 11: 64, 12: 48, 13: 40, 21: 48, 22: 16, 23: 16 },
  { 11: 96, 12: 56, 13: 48, 21: 56, 22: 24, 23: 24 },
  { 11: 128, 12: 64, 13: 56, 21: 64, 22: 32, 23: 32 },
  { 11: 160, 12: 80, 13: 64, 21: 80, 22: 40, 23: 40 },
  { 11: 192, 12: 96, 13: 80, 21: 96, 22: 48, 23: 48 },
  { 11: 224, 12: 112, 13: 96, 21: 112, 22: 56, 23: 56 },
  { 11: 256, 12: 128, 13: 112, 21: 128, 22: 64, 23: 64 },
  { 11: 288, 12: 160, 13: 128, 21: 144, 22: 80, 23: 80 },
  { 11: 320, 12: 192, 13: 160, 21: 160, 22: 96, 23: 96 },
  { 11: 352, 12: 224, 13: 192, 21: 176, 22: 112, 23: 112 },
  { 11: 384, 12: 256, 13: 224, 21: 192, 22: 128, 23: 128 },
  { 11: 416, 12: 320, 13: 256, 21: 224, 22: 144, 23: 144 },
  { 11: 448, 12: 384, 13: 320, 21: 256, 22: 160, 23: 160 }
]
const versions = [2.5, null, 2, 1] as const
const layers = [0, 3, 2, 1] as const
const samplingRates: Readonly<Record<number, ReadonlyArray<number>>> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] }

type AudioHeader = {
  readonly kind: "audio"
  readonly version: number
  readonly layer: number
  readonly bitrate: number
  readonly samplingRate: number
  readonly padding: boolean
  readonly mono: boolean
  readonly crc: boolean
}
type Header = AudioHeader | { readonly kind: "adts"; readonly frameLength: number } | { readonly kind: "invalid" }

/** MpegFrameHeader on the bytes FF b1 b2 b3 ("invalid" where its constructor throws). */
const frameHeader = (b1: number, b2: number, b3: number): Header => {
  const versionIndex = (b1 >> 3) & 3
  const layer = layers[(b1 >> 1) & 3]!
  if (versionIndex > 1 && layer === 0) return { kind: "adts", frameLength: (b3 & 3) << 11 }
  const version = versions[versionIndex]!
  const bitrateIndex = b2 >> 4
  if (bitrateIndex === 0 || bitrateIndex === 15 || version === null) return { kind: "invalid" }
  const kbps = bitrates[bitrateIndex]![10 * Math.floor(version) + layer]
  if (!kbps) return { kind: "invalid" }
  const rateIndex = (b2 >> 2) & 3
  const samplingRate = rateIndex === 3 ? undefined : samplingRates[version]![rateIndex]
  if (samplingRate == null) return { kind: "invalid" }
  return { kind: "audio", version, layer, bitrate: kbps * 1000, samplingRate, padding: (b2 & 2) !== 0, mono: b3 >> 6 === 3, crc: (b1 & 1) === 0 }
}

const samplesPerFrame = (header: AudioHeader): number => [[0, 384, 1152, 1152], [0, 384, 1152, 576]][header.version === 1 ? 0 : 1]![header.layer]!

const sideInfoLength = (header: AudioHeader): number =>
  header.layer !== 3 ? 2 : header.mono ? (header.version === 1 ? 17 : 9) : header.version === 1 ? 32 : 17

const frameSize = (header: AudioHeader): number =>
  Math.floor(((samplesPerFrame(header) / 8) * header.bitrate) / header.samplingRate + (header.padding ? [0, 4, 1, 1][header.layer]! : 0))

/** token-types' "ascii" strings keep the low 7 bits of each byte. */
const ascii = (buffer: Buffer, start: number, length: number): string => {
  let text = ""
  for (let at = start; at < start + length; at++) text += String.fromCharCode(buffer[at]! & 0x7f)
  return text
}

const eos = -1
const decline = -2

/** MpegParser.sync from `position`: the position of the second byte of the next frame sync, `eos` or `decline`. */
const sync = (buffer: Buffer, start: number): number => {
  let position = start
  for (;;) {
    const length = Math.max(0, Math.min(1024, buffer.length - position))
    if (length <= 163) return eos
    let at = 0
    let gotFirst = false
    for (;;) {
      if (gotFirst) {
        // A 0xFF ending the window: music-metadata looks at a stale byte there, and either way ends the stream
        // (a short window) or drops it (a full one).
        if (at === length) {
          if (length < 1024) return eos
        } else if ((buffer[position + at]! & 0xe0) === 0xe0) return position + at
      }
      gotFirst = false
      const found = at >= length ? -1 : buffer.indexOf(0xff, position + at)
      if (found === -1 || found >= position + length) {
        if (length < 1024) return eos
        position += length
        break
      }
      at = found - position + 1
      gotFirst = true
    }
  }
}

type Xing = { readonly end: number; readonly numFrames: number | null; readonly streamSize: number | null }

/** readXingHeader at `start`; undefined where music-metadata would meet the end of the file. */
const readXing = (buffer: Buffer, start: number): Xing | undefined => {
  let position = start
  const need = (length: number): boolean => position + length <= buffer.length
  if (!need(4)) return undefined
  const flags = buffer[position + 3]!
  position += 4
  let numFrames: number | null = null
  let streamSize: number | null = null
  if (flags & 1) {
    if (!need(4)) return undefined
    numFrames = buffer.readUInt32BE(position)
    position += 4
  }
  if (flags & 2) {
    if (!need(4)) return undefined
    streamSize = buffer.readUInt32BE(position)
    position += 4
  }
  if (flags & 4) {
    if (!need(100)) return undefined
    position += 100
  }
  if (flags & 8) {
    if (!need(4)) return undefined
    position += 4
  }
  if (!need(4)) return undefined
  if (ascii(buffer, position, 4) === "LAME") {
    position += 4
    if (!need(5)) return undefined
    const match = ascii(buffer, position, 5).match(/\d+.\d+/g)
    position += 5
    if (match !== null) {
      const version = match[0]!.split(".").map((n) => Number.parseInt(n, 10))
      if (version[0]! >= 3 && version[1]! >= 90) {
        if (!need(27)) return undefined
        position += 27
      }
    }
  }
  return { end: position, numFrames, streamSize }
}

/**
 * An MP3 as music-metadata reads it when its first frame carries a Xing/Info header with the frame count and
 * stream size: replays MpegParser's walk over the first four frames (where it stops) to be sure nothing there
 * changes the duration or throws. Undefined for everything else (no Xing header, ID3v2.2, odd tags...).
 */
export const fastMpeg = (buffer: Buffer): SongOutcome | undefined => {
  const tags = new TagCollector()
  let position = 0
  if (buffer.length >= 3 && buffer.toString("latin1", 0, 3) === "ID3") {
    const end = readId3v2(buffer, tags)
    if (end === undefined || buffer.length - end < 10 || buffer.toString("latin1", end, end + 3) === "ID3") return undefined
    position = end
  }
  let frameCount = 0
  let duration: number | undefined
  for (;;) {
    const synced = sync(buffer, position)
    if (synced === decline) return undefined
    if (synced === eos) break
    position = synced
    if (position + 3 > buffer.length) break
    const header = frameHeader(buffer[position]!, buffer[position + 1]!, buffer[position + 2]!)
    if (header.kind === "invalid") {
      position += 1
      continue
    }
    position += 3
    frameCount++
    if (header.kind === "adts") {
      if (frameCount === 1) return undefined
      if (position + 3 > buffer.length) break
      const frameLength = header.frameLength + ((buffer[position]! << 3) | (buffer[position + 1]! >> 5))
      position = Math.min(buffer.length, position + 3 + (frameLength > 7 ? frameLength - 7 : 1))
      if (frameCount === 3) break
      continue
    }
    if (frameCount === 4) break
    const size = frameSize(header)
    let offset = 4
    if (frameCount > 1 && header.crc) {
      position = Math.min(buffer.length, position + 2)
      offset += 2
    }
    const side = sideInfoLength(header)
    if (position + side + 4 > buffer.length) break
    position += side
    const tag = ascii(buffer, position, 4)
    position += 4
    offset += side + 4
    if (frameCount === 1) {
      if (tag !== "Info" && tag !== "Xing") return undefined
      const xing = readXing(buffer, position)
      if (xing === undefined || !xing.streamSize || xing.numFrames === null) return undefined
      duration = (xing.numFrames * samplesPerFrame(header)) / header.samplingRate
      if (!(duration > 0)) return undefined
      position = xing.end
      continue
    }
    if (tag === "Info" || tag === "Xing" || tag === "LAME") return undefined
    if (size - offset >= 0) position = Math.min(buffer.length, position + size - offset)
  }
  if (duration === undefined) return undefined
  return songOutcome(tags, duration)
}
