import { readFileSync } from "node:fs"
import { extname } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { fastTags } from "./fastTags.js"
import { readTagsWithMusicMetadata, type TagReadOutcome, wholeFileLimit } from "./readTags.js"

export type FastTagsMismatch = { readonly path: string; readonly fast: TagReadOutcome; readonly musicMetadata: TagReadOutcome }

export type FastTagsComparison = {
  readonly files: number
  /** Per extension: files the fast path read, files it left to music-metadata. */
  readonly byExtension: Readonly<Record<string, { fast: number; declined: number }>>
  readonly mismatches: ReadonlyArray<FastTagsMismatch>
}

/**
 * Reads each file (up to `wholeFileLimit`) both ways, the fast path and music-metadata's, and lists where they
 * differ. A file the fast path declines is no mismatch: readTags hands it to music-metadata.
 */
export const compareFastTags = async (paths: Iterable<string>): Promise<FastTagsComparison> => {
  const byExtension: Record<string, { fast: number; declined: number }> = {}
  const mismatches: Array<FastTagsMismatch> = []
  let files = 0
  for (const path of paths) {
    const contents = readFileSync(path)
    if (contents.length > wholeFileLimit) continue
    files++
    const counts = (byExtension[extname(path).toLowerCase() || "(none)"] ??= { fast: 0, declined: 0 })
    const fast = contents.length === 0 ? undefined : fastTags(path, Buffer.from(contents))
    if (fast === undefined) {
      counts.declined++
      continue
    }
    counts.fast++
    const musicMetadata = await readTagsWithMusicMetadata(path, Buffer.from(contents))
    if (!isDeepStrictEqual(fast, musicMetadata)) mismatches.push({ path, fast, musicMetadata })
  }
  return { files, byExtension, mismatches }
}
