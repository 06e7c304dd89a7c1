import { type Dirent, readdir, readdirSync, stat, statSync, type Stats } from "node:fs"
import { resolve, sep } from "node:path"
import { Data } from "effect"
import { childPathText, fsPath, nonUtf8Prefix } from "../Domain/pathText.js"

export type WalkedFile = {
  /**
   * Absolute and normalized (`path.resolve`), case kept; a symlinked file keeps the link's path. A path that is
   * not valid UTF-8 is in the `bytes:` text form of `pathText` (open it with `fsPath`).
   */
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
}

export type WalkResult = {
  readonly root: string
  /** Sorted by path (UTF-16 code units), so the order never depends on the file system. */
  readonly files: ReadonlyArray<WalkedFile>
  readonly hiddenSkipped: number
  readonly symlinkedFoldersSkipped: number
  /** FIFOs, sockets, devices. */
  readonly otherSkipped: number
  /** One line per unreadable folder or file, naming it; sorted. */
  readonly warnings: ReadonlyArray<string>
}

export type CollectionRootProblem = "missing" | "not-a-folder" | "unreadable"

export class CollectionRootError extends Data.TaggedError("CollectionRootError")<{
  readonly problem: CollectionRootProblem
  readonly path: string
  readonly message: string
}> {}

const dot = 0x2e

/** Parallel calls once the walk goes async: keeps libuv's thread pool busy without flooding it. */
const fsConcurrency = 16

const describe = (error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "ENOENT":
    case "ENOTDIR":
      return "vanished during the scan"
    case "ELOOP":
      return "symlink loop"
    case "ENAMETOOLONG":
      return "path too long"
    default:
      return error.message
  }
}

type Listing = ReadonlyArray<Dirent<string>> | ReadonlyArray<Dirent<Buffer>>

// Node decodes names as UTF-8, replacing bytes that are not with U+FFFD: such a folder is listed again as bytes.
const hasReplacedName = (entries: ReadonlyArray<Dirent<string>>): boolean => {
  for (const entry of entries) if (entry.name.includes("\uFFFD")) return true
  return false
}

const listFolderSync = (folder: string): Listing => {
  const target = fsPath(folder)
  if (typeof target === "string") {
    const entries = readdirSync(target, { withFileTypes: true })
    if (!hasReplacedName(entries)) return entries
  }
  return readdirSync(target, { withFileTypes: true, encoding: "buffer" })
}

const listFolder = (folder: string, callback: (error: NodeJS.ErrnoException | null, entries: Listing) => void): void => {
  const target = fsPath(folder)
  const listBytes = () => readdir(target, { withFileTypes: true, encoding: "buffer" }, callback)
  if (typeof target !== "string") return listBytes()
  readdir(target, { withFileTypes: true }, (error, entries) => {
    if (error === null && hasReplacedName(entries)) listBytes()
    else callback(error, entries)
  })
}

const rootError = (path: string, error: NodeJS.ErrnoException): CollectionRootError => {
  switch (error.code) {
    case "ENOENT":
    case "ENOTDIR":
      return new CollectionRootError({ problem: "missing", path, message: `collection folder ${path} does not exist` })
    case "ELOOP":
      return new CollectionRootError({ problem: "missing", path, message: `collection folder ${path} is a symlink loop` })
    default:
      return new CollectionRootError({ problem: "unreadable", path, message: `cannot read collection folder ${path}: ${describe(error)}` })
  }
}

export type WalkOptions = {
  /**
   * "adaptive" (default) walks with synchronous calls, ~3× cheaper than async ones on a cached tree, and switches
   * to `fsConcurrency` parallel async calls once the file system proves slow (cold disk, network share).
   * "async" starts parallel right away.
   */
  readonly strategy?: "adaptive" | "async"
  /**
   * Called with each file as it is found (in no particular order), before the walk ends. The synchronous walk
   * yields to the event loop every few milliseconds meanwhile, so work started from here makes progress.
   */
  readonly onFile?: (file: WalkedFile) => void
}

/** How long the synchronous walk runs before letting the event loop turn. */
const yieldEveryMs = 8

/** A synchronous call slower than this counts as slow. The walk goes async after `slowCallLimit` of them if they
 * are also over 5% of the calls: a busy CPU pre-empts a few calls, a slow disk makes most of them slow. */
const slowCallMs = 1
const slowCallLimit = 5

type Entry = { readonly path: string; readonly kind: "folder" | "file" | "link" }

/**
 * Lists every regular file under `root` (following symlinks to files, never descending into symlinked
 * folders, so link loops cannot recur). Unreadable sub-folders and files become warnings; only a missing,
 * non-folder or unreadable root rejects, with a `CollectionRootError`.
 */
export const walkCollection = async (root: string, options: WalkOptions = {}): Promise<WalkResult> => {
  const rootPath = resolve(root)
  let rootEntries: Listing
  try {
    if (!statSync(rootPath).isDirectory()) {
      throw new CollectionRootError({ problem: "not-a-folder", path: rootPath, message: `${rootPath} is not a folder` })
    }
    rootEntries = listFolderSync(rootPath)
  } catch (error) {
    throw isErrno(error) ? rootError(rootPath, error) : error
  }

  const files: Array<WalkedFile> = []
  const warnings: Array<string> = []
  let hiddenSkipped = 0
  let symlinkedFoldersSkipped = 0
  let otherSkipped = 0

  const visit = (folder: string, entries: Listing, add: (entry: Entry) => void): void => {
    const plainFolder = !folder.startsWith(nonUtf8Prefix)
    for (const entry of entries) {
      const name = entry.name
      if (typeof name === "string" ? name.startsWith(".") : name[0] === dot) {
        hiddenSkipped++
        continue
      }
      // `folder` is absolute and normalized, `name` a plain name: no need for path.join's normalizing.
      const path = typeof name !== "string" || !plainFolder ? childPathText(folder, name) : folder === sep ? `${sep}${name}` : `${folder}${sep}${name}`
      if (entry.isDirectory()) add({ path, kind: "folder" })
      else if (entry.isFile()) add({ path, kind: "file" })
      else if (entry.isSymbolicLink()) add({ path, kind: "link" })
      else otherSkipped++
    }
  }
  const recordStat = (entry: Entry, error: NodeJS.ErrnoException | null, stats: Stats | undefined): void => {
    if (error !== null || stats === undefined) {
      const reason = error === null ? "unknown error" : entry.kind === "link" && error.code === "ENOENT" ? "broken symlink" : describe(error)
      warnings.push(`cannot read ${entry.path}: ${reason}`)
    } else if (stats.isFile()) {
      files.push({ path: entry.path, size: stats.size, mtimeMs: stats.mtimeMs })
    } else if (stats.isDirectory()) {
      symlinkedFoldersSkipped++
    } else {
      otherSkipped++
    }
  }
  const recordFolderError = (folder: string, error: NodeJS.ErrnoException): void => {
    warnings.push(`cannot read folder ${folder}: ${describe(error)}`)
  }
  // Outside the timing of the file-system calls, so that the caller's work never looks like a slow disk.
  let reported = 0
  const reportFiles = (): void => {
    if (options.onFile === undefined) return
    while (reported < files.length) options.onFile(files[reported++]!)
  }

  const stack: Array<Entry> = []
  visit(rootPath, rootEntries, (entry) => stack.push(entry))
  let calls = 0
  let slowCalls = 0
  let lastYield = performance.now()
  const goAsync = (): boolean => options.strategy === "async" || (slowCalls >= slowCallLimit && slowCalls * 20 >= calls)
  while (!goAsync()) {
    const entry = stack.pop()
    if (entry === undefined) break
    if (performance.now() - lastYield > yieldEveryMs) {
      await new Promise((resume) => setImmediate(resume))
      lastYield = performance.now()
    }
    const startedAt = performance.now()
    if (entry.kind === "folder") {
      try {
        visit(entry.path, listFolderSync(entry.path), (child) => stack.push(child))
      } catch (error) {
        if (!isErrno(error)) throw error
        recordFolderError(entry.path, error)
      }
    } else {
      try {
        recordStat(entry, null, statSync(fsPath(entry.path)))
      } catch (error) {
        if (!isErrno(error)) throw error
        recordStat(entry, error, undefined)
      }
    }
    calls++
    if (performance.now() - startedAt > slowCallMs) slowCalls++
    reportFiles()
  }
  if (stack.length > 0) await walkInParallel(stack, visit, recordStat, recordFolderError, reportFiles)

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  warnings.sort()
  return { root: rootPath, files, hiddenSkipped, symlinkedFoldersSkipped, otherSkipped, warnings }
}

// Plain callbacks and a job stack rather than a promise per call: the per-call overhead is most of the cost.
const walkInParallel = (
  initial: ReadonlyArray<Entry>,
  visit: (folder: string, entries: Listing, add: (entry: Entry) => void) => void,
  recordStat: (entry: Entry, error: NodeJS.ErrnoException | null, stats: Stats | undefined) => void,
  recordFolderError: (folder: string, error: NodeJS.ErrnoException) => void,
  reportFiles: () => void
): Promise<void> =>
  new Promise((finish) => {
    const waiting: Array<Entry> = []
    let pending = 0
    let active = 0
    const done = (): void => {
      reportFiles()
      active--
      pending--
      const next = waiting.pop()
      if (next !== undefined) start(next)
      if (pending === 0) finish()
    }
    const start = (entry: Entry): void => {
      active++
      if (entry.kind === "folder") {
        listFolder(entry.path, (error, entries) => {
          if (error !== null) recordFolderError(entry.path, error)
          else visit(entry.path, entries, submit)
          done()
        })
      } else {
        stat(fsPath(entry.path), (error, stats) => {
          recordStat(entry, error, stats)
          done()
        })
      }
    }
    const submit = (entry: Entry): void => {
      pending++
      if (active < fsConcurrency) start(entry)
      else waiting.push(entry)
    }
    for (const entry of initial) submit(entry)
  })

const isErrno = (error: unknown): error is NodeJS.ErrnoException => error instanceof Error && "code" in error
