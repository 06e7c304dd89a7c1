import { fastFlac } from "./fastFlac.js"
import { fastMp4 } from "./fastMp4.js"
import { fastMpeg } from "./fastMpeg.js"
import { fastOgg } from "./fastOgg.js"
import { fastWav } from "./fastWav.js"
import type { TagReadOutcome } from "./readTags.js"

/**
 * No parser has these extensions, so music-metadata asks file-type, whose first match for FF D8 FF (but for
 * JPEG-LS's FF D8 FF F7) is a JPEG, a type no parser takes.
 */
function jpeg(buffer: Buffer): TagReadOutcome | undefined {
  return buffer.length >= 4 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff && buffer[3] !== 0xf7
    ? { kind: "not-audio", reason: "Guessed MIME-type not supported: image/jpeg" }
    : undefined
}

// music-metadata picks its parser by the path's extension (ParserFactory.findLoaderForExtension), so do these.
const readers: ReadonlyMap<string, (buffer: Buffer) => TagReadOutcome | undefined> = new Map([
  [".mp3", fastMpeg],
  [".flac", fastFlac],
  [".ogg", fastOgg],
  [".oga", fastOgg],
  [".opus", fastOgg],
  [".wav", fastWav],
  [".m4a", fastMp4],
  [".m4b", fastMp4],
  [".mp4", fastMp4],
  [".jpg", jpeg],
  [".jpeg", jpeg]
])

/** An ID3v1 tag or an APEv2 footer at the end: music-metadata reads those too (scanAppendingHeaders, ID3v1Parser). */
const hasAppendedTags = (buffer: Buffer): boolean =>
  (buffer.length >= 128 && buffer.toString("latin1", buffer.length - 128, buffer.length - 125) === "TAG") ||
  (buffer.length >= 32 && buffer.toString("latin1", buffer.length - 32, buffer.length - 24) === "APETAGEX")

/**
 * The outcome music-metadata's path in readTags would give for a whole file in memory, for the common well-formed
 * layouts (see fastMpeg, fastFlac, fastOgg), about ten times faster; undefined for everything else, which
 * readTags then hands to music-metadata. `path` is the text form readTags gives music-metadata.
 */
export const fastTags = (path: string, buffer: Buffer): TagReadOutcome | undefined => {
  const dot = path.lastIndexOf(".")
  const reader = dot === -1 ? undefined : readers.get(path.slice(dot).toLowerCase())
  if (reader === undefined || hasAppendedTags(buffer)) return undefined
  try {
    return reader(buffer)
  } catch {
    // A read past the end the checks missed: music-metadata decides.
    return undefined
  }
}
