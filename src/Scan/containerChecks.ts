/** Random access to the file's bytes for the checks music-metadata skips (reads past the end are short). */
export type ByteSource = {
  readonly size: number
  readonly read: (position: number, length: number) => Buffer
}

// music-metadata reports STREAMINFO's duration even when the file ends inside the metadata blocks.
export const flacStructureProblem = (source: ByteSource): string | undefined => {
  let position = 0
  for (;;) {
    const header = source.read(position, 10)
    if (header.length < 10 || header.toString("latin1", 0, 3) !== "ID3") break
    const tagSize = ((header[6]! & 0x7f) << 21) | ((header[7]! & 0x7f) << 14) | ((header[8]! & 0x7f) << 7) | (header[9]! & 0x7f)
    position += 10 + tagSize + ((header[5]! & 0x10) !== 0 ? 10 : 0)
  }
  const magic = source.read(position, 4)
  if (magic.toString("latin1") !== "fLaC") return "truncated FLAC: no stream marker"
  position += 4
  for (let last = false; !last;) {
    const block = source.read(position, 4)
    if (block.length < 4) return "truncated FLAC: file ends inside the metadata blocks"
    last = (block[0]! & 0x80) !== 0
    position += 4 + block.readUIntBE(1, 3)
    if (position > source.size) return "truncated FLAC: file ends inside the metadata blocks"
  }
  return position >= source.size ? "truncated FLAC: no audio frames" : undefined
}

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
