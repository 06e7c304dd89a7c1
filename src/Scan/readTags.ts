import { closeSync, constants, fstatSync, openAsBlob, openSync, readSync, statSync } from "node:fs"
import { extname } from "node:path"
import { type IAudioMetadata, type IOptions, parseBlob, parseBuffer, parseFile } from "music-metadata"
import type { SongTags } from "../Domain/Collection.js"
import { fsPath } from "../Domain/pathText.js"

export type TagReadOutcome =
  | { readonly kind: "song"; readonly tags: SongTags; readonly warnings: ReadonlyArray<string> }
  | { readonly kind: "not-audio"; readonly reason: string }
  | { readonly kind: "corrupt"; readonly reason: string }

/** Files up to this size are read whole and parsed from memory (about 2× faster than music-metadata's file reader). */
export const wholeFileLimit = 2 * 1024 * 1024

const parseOptions: IOptions = { skipCovers: true }

// Extensions music-metadata handles: a file carrying one of them that does not parse is corrupt audio, not "not audio".
const audioExtensions = new Set([
  ".aac", ".aif", ".aifc", ".aiff", ".ape", ".asf", ".bwf", ".dff", ".dsf", ".flac", ".m2a", ".m4a", ".m4b",
  ".m4p", ".m4r", ".mka", ".mp1", ".mp2", ".mp3", ".mp4", ".mpc", ".oga", ".ogg", ".opus", ".spx", ".wav",
  ".wave", ".webm", ".wma", ".wv"
])

const hasAudioExtension = (path: string): boolean => audioExtensions.has(extname(path).toLowerCase())

const unrecognized = (path: string, reason: string): TagReadOutcome =>
  hasAudioExtension(path) ? { kind: "corrupt", reason } : { kind: "not-audio", reason }

/**
 * Reads one file's tags (`path` in the text form of `pathText`). Never rejects: unreadable and unparsable files
 * come back as "corrupt", files music-metadata does not recognize (and that lack an audio extension) as "not-audio".
 */
export const readTags = async (path: string, size?: number): Promise<TagReadOutcome> => {
  let borrowed: Buffer | undefined
  try {
    const target = fsPath(path)
    const contents = size === undefined || size <= wholeFileLimit ? readSmallFile(target) : undefined
    if (contents === undefined) return await parseFromDisk(path, target)
    if (contents.buffer === scratch?.buffer) borrowed = scratch
    if (contents.length === 0) return unrecognized(path, "empty file")
    return await parseFromMemory(path, contents)
  } catch (error) {
    return classifyError(path, error)
  } finally {
    if (borrowed !== undefined) scratchInUse = false
  }
}

// One buffer per thread for small files, grown as needed: a fresh one per file is most of the garbage of a scan.
// Only one read at a time can hold it (parses in flight together get their own buffer), and nothing of the
// parse outlives `readTags`: the outcome holds strings and numbers only.
let scratch: Buffer | undefined
let scratchInUse = false

const borrowBuffer = (size: number): Buffer => {
  if (scratchInUse) return Buffer.allocUnsafe(size)
  if (scratch === undefined || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 256 * 1024))
  scratchInUse = true
  return scratch.subarray(0, size)
}

// Synchronous on purpose: for a cached small file open+fstat+read+close costs ~5 µs against ~100 µs through
// the thread pool, and each worker thread is its own unit of I/O parallelism. O_NONBLOCK: a FIFO must not hang.
/** The whole file, or undefined when it is larger than `wholeFileLimit`. */
const readSmallFile = (path: string | Buffer): Buffer | undefined => {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) throw Object.assign(new Error("not a regular file"), { code: stats.isDirectory() ? "EISDIR" : "ENOTREG" })
    if (stats.size > wholeFileLimit) return undefined
    if (stats.size === 0) return Buffer.alloc(0)
    const buffer = borrowBuffer(stats.size)
    let filled = 0
    try {
      while (filled < buffer.length) {
        const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
    } catch (error) {
      if (buffer.buffer === scratch?.buffer) scratchInUse = false
      throw error
    }
    return buffer.subarray(0, filled)
  } finally {
    closeSync(fd)
  }
}

/** Random access to the file's bytes for the checks music-metadata skips (reads past the end are short). */
type ByteSource = {
  readonly size: number
  readonly read: (position: number, length: number) => Buffer
}

const parseFromMemory = async (path: string, buffer: Buffer): Promise<TagReadOutcome> => {
  const fileInfo = { path, size: buffer.length }
  const source: ByteSource = { size: buffer.length, read: (position, length) => buffer.subarray(position, position + length) }
  const metadata = await parseBuffer(buffer, fileInfo, parseOptions)
  return toOutcome(path, metadata, source, () => parseBuffer(buffer, fileInfo, { ...parseOptions, duration: true }))
}

/**
 * music-metadata opens files by a string path only. A path that is not UTF-8 is read through a Blob backed by the
 * file instead (random access too, so tags at the end are found), its format recognized from its content rather
 * than its extension.
 */
const parseLargeFile = async (target: string | Buffer, options: IOptions): Promise<IAudioMetadata> =>
  typeof target === "string" ? parseFile(target, options) : parseBlob(await openAsBlob(target), options)

const parseFromDisk = async (path: string, target: string | Buffer): Promise<TagReadOutcome> => {
  const size = statSync(target).size
  if (size === 0) return unrecognized(path, "empty file")
  const metadata = await parseLargeFile(target, parseOptions)
  let fd: number | undefined
  const source: ByteSource = {
    size,
    read: (position, length) => {
      fd ??= openSync(target, constants.O_RDONLY | constants.O_NONBLOCK)
      const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)))
      return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, position))
    }
  }
  try {
    return await toOutcome(path, metadata, source, () => parseLargeFile(target, { ...parseOptions, duration: true }))
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const toOutcome = async (
  path: string,
  metadata: IAudioMetadata,
  source: ByteSource,
  parseWholeStream: () => Promise<IAudioMetadata>
): Promise<TagReadOutcome> => {
  const { format } = metadata
  if (format.container === undefined) return unrecognized(path, "no audio stream found")
  if (format.hasAudio === false) return { kind: "not-audio", reason: `${format.container} file without an audio track` }
  if (format.container === "FLAC") {
    const problem = flacStructureProblem(source)
    if (problem !== undefined) return { kind: "corrupt", reason: problem }
  }
  const warnings: Array<string> = []
  let duration = format.duration
  if (duration === undefined && format.container === "MPEG") {
    // VBR without a Xing/Info header: only counting every frame gives the duration; random bytes have no frames.
    duration = (await parseWholeStream()).format.duration
    if (duration === undefined) return { kind: "corrupt", reason: "no valid MPEG audio frames" }
  }
  if (duration === undefined && format.container === "Ogg") {
    duration = oggDuration(source, format.codec, format.sampleRate)
  }
  if (duration === undefined || !Number.isFinite(duration)) warnings.push("duration unknown: length stored as 0")
  return { kind: "song", tags: songTags(metadata, duration, warnings), warnings }
}

const songTags = (metadata: IAudioMetadata, duration: number | undefined, warnings: Array<string>): SongTags => {
  const { common } = metadata
  return {
    name: text(common.title),
    album: text(common.album),
    artist: text(id3v23Artist(metadata) ?? common.artist ?? common.artists?.[0]),
    genre: text(common.genre?.[0]),
    track: trackNumber(metadata, warnings),
    year: releaseYear(metadata, warnings),
    length: duration !== undefined && Number.isFinite(duration) && duration > 0 ? Math.trunc(duration) : 0
  }
}

const text = (value: string | undefined): string => (value ?? "").replaceAll("\u0000", "").trim()

const maxInteger = 2_147_483_647

// ID3v2.2/2.3 store several artists as "A/B" and music-metadata splits them, so "AC/DC" would become "AC".
// The original kept the frame text whole; re-join unless the tag used (non-standard) NUL separators.
const id3v23Artist = (metadata: IAudioMetadata): string | undefined => {
  for (const [tagType, frameId] of [["ID3v2.3", "TPE1"], ["ID3v2.2", "TP1"]] as const) {
    const values = (metadata.native[tagType] ?? []).filter((tag) => tag.id === frameId).map((tag) => String(tag.value))
    const nulSeparated = metadata.quality.warnings.some((warning) => warning.message.includes(`${frameId} uses non standard null-separator`))
    if (values.length > 1 && !nulSeparated && values[0] === metadata.common.artist) return values.join("/")
  }
  return undefined
}

const nativeTrackIds = new Set(["trck", "trk", "tracknumber", "track", "wm/tracknumber", "wm/track", "trkn", "itrk", "iprt"])

const trackNumber = (metadata: IAudioMetadata, warnings: Array<string>): number => {
  const no = metadata.common.track.no
  if (no !== null && Number.isSafeInteger(no) && no > 0 && no <= maxInteger) return no
  // music-metadata turns junk like "A1" into null, the same as a missing tag: look at the raw value to warn.
  const raw = Object.values(metadata.native).flat().find((tag) => nativeTrackIds.has(tag.id.toLowerCase()))?.value
  const rawText = raw === undefined || raw === null ? "" : typeof raw === "object" ? JSON.stringify(raw) : String(raw)
  if (rawText.trim() !== "" && !/^\s*0*\s*(\/.*)?$/.test(rawText)) {
    warnings.push(`unparseable track number ${JSON.stringify(rawText)}: stored as 0`)
  }
  return 0
}

const yearPattern = /^(\d{4})(?:$|[^\d]|\d{4}$)/

const releaseYear = (metadata: IAudioMetadata, warnings: Array<string>): number => {
  const { date, year } = metadata.common
  if (typeof date === "string" && date.trim() !== "") {
    // common.year is parseInt of the date's first 4 characters ("05/06/2004" gives 5), so parse the date itself.
    const match = yearPattern.exec(date.trim())
    if (match?.[1] !== undefined) return Number(match[1])
    warnings.push(`unparseable date ${JSON.stringify(date)}: year stored as 0`)
    return 0
  }
  if (year === undefined) return 0
  if (Number.isSafeInteger(year) && year >= 0 && year <= maxInteger) return year
  warnings.push("unparseable year: stored as 0")
  return 0
}

// music-metadata reports STREAMINFO's duration even when the file ends inside the metadata blocks.
const flacStructureProblem = (source: ByteSource): string | undefined => {
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
const oggDuration = (source: ByteSource, codec: string | undefined, sampleRate: number | undefined): number | undefined => {
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

const notRecognizedErrors = new Set(["CouldNotDetermineFileTypeError", "UnsupportedFileTypeError"])

const systemErrorReasons: Record<string, string> = {
  ENOENT: "file vanished before it could be read",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a folder",
  ENOTREG: "not a regular file",
  EIO: "input/output error"
}

const classifyError = (path: string, error: unknown): TagReadOutcome => {
  if (!(error instanceof Error)) return { kind: "corrupt", reason: String(error) }
  if (notRecognizedErrors.has(error.name)) return unrecognized(path, error.message)
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined
  if (code !== undefined) return { kind: "corrupt", reason: `cannot read: ${systemErrorReasons[code] ?? error.message}` }
  return { kind: "corrupt", reason: error.message === "" ? error.name : error.message }
}
