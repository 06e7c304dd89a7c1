import { syncsafeInteger } from "./syncsafeInteger.js"

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
    const tagSize = syncsafeInteger(header, 6)
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
