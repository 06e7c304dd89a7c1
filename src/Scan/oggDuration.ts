import type { ByteSource } from "./flacStructureProblem.js"

const maxOggPage = 65_307

// music-metadata stops reading Ogg after 12 pages, so long files have no duration unless the whole
// stream is read (duration:true, ~12× slower). The last page's granule position gives it from the tail.
export const oggDuration = (source: ByteSource, codec: string | undefined, sampleRate: number | undefined): number | undefined => {
  const head = source.read(0, 512)
  if (head.length < 27 || head.toString("latin1", 0, 4) !== "OggS") return undefined
  const serial = head.readUInt32LE(14)
  const opusHead = head.indexOf("OpusHead", 0, "latin1")
  const isOpus = codec === "Opus" || opusHead >= 0
  const rate = isOpus ? 48_000 : sampleRate
  if (rate === undefined || rate <= 0) return undefined
  const preSkip = isOpus && opusHead >= 0 && opusHead + 12 <= head.length ? head.readUInt16LE(opusHead + 10) : 0
  const tailStart = Math.max(0, source.size - maxOggPage)
  const tail = source.read(tailStart, source.size - tailStart)
  for (let at = tail.lastIndexOf("OggS", undefined, "latin1"); at >= 0; at = at === 0 ? -1 : tail.lastIndexOf("OggS", at - 1, "latin1")) {
    if (at + 27 > tail.length || tail[at + 4] !== 0 || tail.readUInt32LE(at + 14) !== serial) continue
    const granule = tail.readBigInt64LE(at + 6)
    if (granule < 0n) continue
    return Math.max(0, Number(granule) - preSkip) / rate
  }
  return undefined
}
