import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from "node:zlib"
import type { ContentCoding } from "./negotiateCoding.js"

/** Bodies smaller than this are sent as they are: compression would save next to nothing. */
export const minimumCompressedSize = 1024

/** Below this, compressing at the fast levels takes well under a millisecond: done at once on the event loop. */
const synchronousLimit = 32 * 1024

export type Compressed = (error: Error | null, body: Buffer) => void

const brotliOptions = (quality: number, body: Buffer, extra: Record<number, number> = {}) => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length, ...extra }
})

const run = (body: Buffer, done: Compressed, compress: () => Buffer): void => {
  let compressed: Buffer
  try {
    compressed = compress()
  } catch (error) {
    return done(error instanceof Error ? error : new Error(String(error)), body)
  }
  done(null, compressed)
}

/**
 * A per-request body at the fastest levels (gzip 1, brotli 1: about 8 and 4 µs per KB); on the thread pool
 * above 32 KiB so that large answers never hold the event loop. `done` may be called before this returns.
 */
export const compressDynamic = (body: Buffer, coding: Exclude<ContentCoding, "identity">, done: Compressed): void => {
  const brotli = brotliOptions(1, body)
  if (body.length < synchronousLimit) {
    return run(body, done, () => coding === "br" ? brotliCompressSync(body, brotli) : gzipSync(body, { level: 1 }))
  }
  if (coding === "br") brotliCompress(body, brotli, done)
  else gzip(body, { level: 1 }, done)
}

/**
 * A body compressed once and kept (a full list): better ratios at a few times the cost (gzip 6; brotli 4 with
 * a 16 MiB window, which beats brotli 5–6 on these lists: 32 MB of songs become 4.8 MB in about 0.7 s of CPU),
 * on the thread pool in 256 KiB steps above 32 KiB. `done` may be called before this returns.
 */
export const compressStatic = (body: Buffer, coding: Exclude<ContentCoding, "identity">, done: Compressed): void => {
  const brotli = { chunkSize: 256 * 1024, ...brotliOptions(4, body, { [constants.BROTLI_PARAM_LGWIN]: 24 }) }
  const gzipOptions = { chunkSize: 256 * 1024, level: 6 }
  if (body.length < synchronousLimit) {
    return run(body, done, () => coding === "br" ? brotliCompressSync(body, brotli) : gzipSync(body, gzipOptions))
  }
  if (coding === "br") brotliCompress(body, brotli, done)
  else gzip(body, gzipOptions, done)
}
