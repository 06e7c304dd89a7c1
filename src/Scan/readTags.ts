import { closeSync, constants, fstatSync, openAsBlob, openSync, readSync, statSync } from "node:fs"
import { extname } from "node:path"
import type { IAudioMetadata, IOptions } from "music-metadata"
import { fsPath } from "../Domain/pathText.js"
import { type ByteSource, flacStructureProblem } from "./flacStructureProblem.js"
import { oggDuration } from "./oggDuration.js"
import { fastTags } from "./fastTags.js"
import { type SongOutcome, songOutcome } from "./songOutcome.js"

export type TagReadOutcome =
  | SongOutcome
  | { readonly kind: "not-audio"; readonly reason: string }
  | { readonly kind: "corrupt"; readonly reason: string }

/** Files up to this size are read whole and parsed from memory (about 2× faster than music-metadata's file reader). */
export const wholeFileLimit = 2 * 1024 * 1024

const parseOptions: IOptions = { skipCovers: true }

// Loaded on first use: a worker whose files all take the fast path (fastTags.ts) never compiles music-metadata.
let musicMetadataModule: Promise<typeof import("music-metadata")> | undefined
const musicMetadata = () => (musicMetadataModule ??= import("music-metadata"))

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
    return fastTags(path, contents) ?? (await parseFromMemory(path, contents))
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

/** What readTags gives for a file with these contents without the fast path (fastTags); for differential checks. */
export const readTagsWithMusicMetadata = async (path: string, contents: Buffer): Promise<TagReadOutcome> => {
  try {
    return contents.length === 0 ? unrecognized(path, "empty file") : await parseFromMemory(path, contents)
  } catch (error) {
    return classifyError(path, error)
  }
}

const parseFromMemory = async (path: string, buffer: Buffer): Promise<TagReadOutcome> => {
  const fileInfo = { path, size: buffer.length }
  const source: ByteSource = { size: buffer.length, read: (position, length) => buffer.subarray(position, position + length) }
  const { parseBuffer } = await musicMetadata()
  const metadata = await parseBuffer(buffer, fileInfo, parseOptions)
  return toOutcome(path, metadata, source, () => parseBuffer(buffer, fileInfo, { ...parseOptions, duration: true }))
}

/**
 * music-metadata opens files by a string path only. A path that is not UTF-8 is read through a Blob backed by the
 * file instead (random access too, so tags at the end are found), its format recognized from its content rather
 * than its extension.
 */
const parseLargeFile = async (target: string | Buffer, options: IOptions): Promise<IAudioMetadata> => {
  const { parseBlob, parseFile } = await musicMetadata()
  return typeof target === "string" ? parseFile(target, options) : parseBlob(await openAsBlob(target), options)
}

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
  let duration = format.duration
  if (duration === undefined && format.container === "MPEG") {
    // VBR without a Xing/Info header: only counting every frame gives the duration; random bytes have no frames.
    duration = (await parseWholeStream()).format.duration
    if (duration === undefined) return { kind: "corrupt", reason: "no valid MPEG audio frames" }
  }
  if (duration === undefined && format.container === "Ogg") {
    duration = oggDuration(source, format.codec, format.sampleRate)
  }
  return songOutcome(metadata, duration)
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
