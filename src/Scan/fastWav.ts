import { readId3v2 } from "./readId3v2.js"
import { type SongOutcome, songOutcome } from "./songOutcome.js"
import { type CommonId, TagCollector } from "./TagCollector.js"

const infoCommonIds: Readonly<Record<string, CommonId>> = {
  IART: "artist", ICRD: "date", INAM: "title", TITL: "title", IPRD: "album", ITRK: "track", IPRT: "track", GNRE: "genre",
  YEAR: "year", IGNR: "genre", IRPD: "album"
}

/**
 * A RIFF/WAVE file of `fmt `, `data`, LIST/INFO (no CSET: Latin-1), `id3 ` and other chunks music-metadata skips, as its
 * WaveParser reads it; undefined for anything else (`fact`, `bext`, CSET, chunks running past the end).
 */
export const fastWav = (buffer: Buffer): SongOutcome | undefined => {
  if (buffer.length < 12 || buffer.toString("latin1", 0, 4) !== "RIFF" || buffer.toString("latin1", 8, 12) !== "WAVE") return undefined
  const tags = new TagCollector()
  const pendingInfo: Array<{ readonly id: string; readonly value: string }> = []
  let remaining = buffer.readUInt32LE(4) - 4
  let position = 12
  let sampleRate = 0
  let blockAlign = 0
  let duration: number | undefined
  while (remaining >= 8) {
    if (position + 8 > buffer.length) return undefined
    const id = buffer.toString("latin1", position, position + 4)
    const size = buffer.readUInt32LE(position + 4)
    const start = position + 8
    remaining -= 8 + size
    switch (id) {
      case "fmt ":
        if (size < 16 || start + size > buffer.length) return undefined
        sampleRate = buffer.readUInt32LE(start + 4)
        blockAlign = buffer.readUInt16LE(start + 12)
        break
      case "LIST": {
        // WaveParser reads the list type even from a shorter chunk, then fails on a negative length to skip.
        if (size < 4 || start + 4 > buffer.length) return undefined
        if (buffer.toString("latin1", start, start + 4) !== "INFO") break
        let left = size - 4
        let at = start + 4
        while (left >= 8) {
          if (at + 8 > buffer.length) return undefined
          const tagSize = buffer.readUInt32LE(at + 4)
          const padded = tagSize + (tagSize & 1)
          if (at + 8 + padded > buffer.length) return undefined
          const value = buffer.toString("latin1", at + 8, at + 8 + tagSize).split("\u0000", 1)[0]!
          pendingInfo.push({ id: buffer.toString("latin1", at, at + 4), value })
          at += 8 + padded
          left -= 8 + padded
        }
        if (left !== 0) return undefined
        break
      }
      case "data": {
        const chunkSize = Math.min(size, buffer.length - start)
        const samples = chunkSize === 0xffffffff ? undefined : chunkSize / blockAlign
        if (samples && sampleRate) duration = samples / sampleRate
        break
      }
      case "id3 ":
      case "ID3 ":
        // WaveParser hands the chunk to ID3v2Parser as a file of its own.
        if (start + size > buffer.length || readId3v2(buffer.subarray(start, start + size), tags) === undefined) return undefined
        break
      case "fact":
      case "CSET":
      case "bext":
        return undefined
      default:
    }
    position = Math.min(buffer.length, start + size)
    if (size % 2 === 1) position = Math.min(buffer.length, position + 1)
  }
  for (const { id, value } of pendingInfo) tags.add("exif", id, value, infoCommonIds[id])
  return songOutcome(tags, duration)
}
