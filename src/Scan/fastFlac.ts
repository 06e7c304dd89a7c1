import { type ByteSource, flacStructureProblem } from "./flacStructureProblem.js"
import { type SongOutcome, songOutcome } from "./songOutcome.js"
import { TagCollector } from "./TagCollector.js"
import { readVorbisComments } from "./readVorbisComments.js"

/** music-metadata's Util.getBitAllignedNumber, 32-bit shifts and all (STREAMINFO's 36-bit sample count goes through it). */
const bitAlignedNumber = (source: Buffer, byteOffset: number, bitOffset: number, length: number): number => {
  const byte = byteOffset + ~~(bitOffset / 8)
  const bit = bitOffset % 8
  let value = source[byte]! & (0xff >> bit)
  const bitsRead = 8 - bit
  const bitsLeft = length - bitsRead
  if (bitsLeft < 0) value >>= 8 - bit - length
  else if (bitsLeft > 0) {
    value <<= bitsLeft
    value |= bitAlignedNumber(source, byteOffset, bitOffset + bitsRead, bitsLeft)
  }
  return value
}

/**
 * A FLAC file (no ID3v2 in front) whose metadata blocks are all there, as music-metadata's FlacParser reads it:
 * STREAMINFO's duration and the VORBIS_COMMENT tags. Undefined for anything else.
 */
export const fastFlac = (buffer: Buffer): SongOutcome | undefined => {
  const source: ByteSource = { size: buffer.length, read: (position, length) => buffer.subarray(position, position + length) }
  if (buffer.toString("latin1", 0, 4) !== "fLaC" || flacStructureProblem(source) !== undefined) return undefined
  const tags = new TagCollector()
  let duration: number | undefined
  let streamInfo = false
  let position = 4
  for (let last = false; !last;) {
    last = (buffer[position]! & 0x80) !== 0
    const type = buffer[position]! & 0x7f
    const length = buffer.readUIntBE(position + 1, 3)
    const start = position + 4
    position = start + length
    if (type === 0) {
      if (length !== 34) return undefined
      streamInfo = true
      const sampleRate = buffer.readUIntBE(start + 10, 3) >> 4
      const totalSamples = bitAlignedNumber(buffer, start + 13, 4, 36)
      if (totalSamples > 0) duration = totalSamples / sampleRate
    } else if (type === 4) {
      if (!readVorbisComments(buffer, start, position, tags)) return undefined
    }
  }
  return streamInfo ? songOutcome(tags, duration) : undefined
}
