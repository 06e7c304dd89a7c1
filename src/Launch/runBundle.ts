import { isAscii } from "node:buffer"
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { basename, dirname, join } from "node:path"
import { Script } from "node:vm"
import { threadId } from "node:worker_threads"
import { crc32 } from "node:zlib"
import { codeCacheEvents } from "./codeCacheEvents.js"

/**
 * What became of the cache at start: "off" (no cache folder), "missing", "stale" (made for another build of the
 * bundle), "rejected" (by V8: another Node version, other V8 flags, damaged), or "accepted".
 */
export type CodeCacheState = "off" | "missing" | "stale" | "rejected" | "accepted"

export type RunBundleOptions = {
  /** Names the cache file: code run by different commands differs, so each keeps a cache of its own. */
  readonly cacheName: string
  /** Folder of the cache files, `null` for none; default `AVALON_CODE_CACHE` ("off" for none), else the bundle's folder. */
  readonly cacheDir?: string | null
  /** Also save this long after the start (a server runs for long, and may never exit cleanly). */
  readonly saveAfterMs?: number
}

export type BundleRun = {
  readonly state: CodeCacheState
  readonly cacheFile: string | undefined
  /** The bundle's `module.exports`. */
  readonly exports: unknown
  /** Saves the cache unless it was accepted or is saved already; otherwise done on exit or on `codeCacheEvents.save`. */
  readonly save: () => void
}

/** A cache file: this, the CRC-32 of the bundle it was made for (4 bytes), then V8's data. */
const magic = Buffer.from("AVLNV8C2")
const header = magic.length + 4

/**
 * The bundle's CRC-32, which tells one build from another (V8 itself checks only the length of the source; an
 * attacker who could forge a match could as well change the bundle). node:crypto would cost a worker thread more
 * to load than the cache saves it.
 */
const digestOf = (bytes: Buffer): Buffer => {
  const digest = Buffer.alloc(4)
  digest.writeUInt32BE(crc32(bytes))
  return digest
}

/** The cache folder for a bundle from `AVALON_CODE_CACHE`: unset or empty, the bundle's own folder. */
export const codeCacheDir = (bundle: string, env: NodeJS.ProcessEnv = process.env): string | null => {
  const setting = env["AVALON_CODE_CACHE"]
  if (setting === "off") return null
  return setting === undefined || setting === "" ? dirname(bundle) : setting
}

const debugging = (): boolean => {
  const setting = process.env["AVALON_CODE_CACHE_DEBUG"]
  return setting !== undefined && setting !== "" && setting !== "0"
}

/**
 * Runs a CommonJS bundle the way Node runs a module, through a `vm.Script` given the V8 code cache that an
 * earlier run left beside it. The bundle is written already wrapped, `(function (exports, require, module,
 * __filename, __dirname) {…})` (see scripts/build.mjs): parsing and compiling ~1 MB of JavaScript is most of a short command's start-up,
 * and deserializing the compiled code takes a fraction of that. Without a usable cache the bundle runs as it is
 * and the cache is made once the program has warmed up (on exit, on request, or `saveAfterMs` after the start),
 * then written atomically; a folder that cannot be written only means no cache. Whoever can write the cache can
 * make the program run any code, like whoever can write the bundle: keep it in a folder only they can write.
 */
export const runBundle = (bundle: string, options: RunBundleOptions): BundleRun => {
  const bytes = readFileSync(bundle)
  // esbuild writes ASCII (non-ASCII text escaped), for which the latin1 decoding is exact and much faster.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8")
  const dir = options.cacheDir === undefined ? codeCacheDir(bundle) : options.cacheDir
  const file = dir === null ? undefined : join(dir, `${basename(bundle)}.${options.cacheName}.v8cache`)
  const digest = file === undefined ? undefined : digestOf(bytes)
  let state: CodeCacheState = file === undefined ? "off" : "missing"
  let cachedData: Buffer | undefined
  if (file !== undefined && digest !== undefined) {
    let stored: Buffer | undefined
    try {
      stored = readFileSync(file)
    } catch {
      stored = undefined
    }
    if (stored !== undefined) {
      const matches = stored.length > header && stored.subarray(0, magic.length).equals(magic) && stored.subarray(magic.length, header).equals(digest)
      if (matches) cachedData = stored.subarray(header)
      else state = "stale"
    }
  }

  const script = new Script(source, {
    filename: bundle,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  if (cachedData !== undefined) state = script.cachedDataRejected === true ? "rejected" : "accepted"
  const debug = debugging() ? (text: string) => process.stderr.write(`avalon: code cache ${file ?? "(no folder)"}: ${text}\n`) : () => undefined
  debug(state)

  const events: NodeJS.EventEmitter = process
  let saved = file === undefined || state === "accepted"
  const save = (): void => {
    if (saved || file === undefined || digest === undefined || dir === null) return
    saved = true
    events.off(codeCacheEvents.save, save)
    const temporary = `${file}.${process.pid}-${threadId}.tmp`
    try {
      events.emit(codeCacheEvents.saving)
      let data: Buffer
      try {
        data = script.createCachedData()
      } finally {
        events.emit(codeCacheEvents.saved)
      }
      mkdirSync(dir, { recursive: true })
      writeFileSync(temporary, Buffer.concat([magic, digest, data]))
      renameSync(temporary, file)
      debug(`written (${data.length} bytes)`)
    } catch (error) {
      try {
        unlinkSync(temporary)
      } catch {
        // never written
      }
      debug(`not written: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  if (!saved) {
    process.once("exit", save)
    events.on(codeCacheEvents.save, save)
    if (options.saveAfterMs !== undefined) setTimeout(save, options.saveAfterMs).unref()
  }

  const wrapper: unknown = script.runInThisContext()
  if (typeof wrapper !== "function") throw new Error(`${bundle} is not a module wrapped in a function (see scripts/build.mjs)`)
  const module = { exports: {} as unknown }
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle))
  return { state, cacheFile: file, exports: module.exports, save }
}
