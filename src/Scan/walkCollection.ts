import { type Dirent, readdir, stat, type Stats } from "node:fs"
import { join, resolve } from "node:path"
import { Data } from "effect"

export type WalkedFile = {
  /** Absolute and normalized (`path.resolve`), case kept; a symlinked file keeps the link's path. */
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

/** Concurrent file-system calls: keeps libuv's thread pool busy (slow or cold disks) without flooding it. */
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
    default:
      return error.message
  }
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

const rootStep = <A>(path: string, step: (callback: (error: NodeJS.ErrnoException | null, value: A) => void) => void): Promise<A> =>
  new Promise((resolvePromise, reject) => step((error, value) => (error === null ? resolvePromise(value) : reject(rootError(path, error)))))

/**
 * Lists every regular file under `root` (following symlinks to files, never descending into symlinked
 * folders, so link loops cannot recur). Unreadable sub-folders and files become warnings; only a missing,
 * non-folder or unreadable root rejects, with a `CollectionRootError`.
 */
export const walkCollection = async (root: string): Promise<WalkResult> => {
  const rootPath = resolve(root)
  const rootStats = await rootStep<Stats>(rootPath, (callback) => stat(rootPath, callback))
  if (!rootStats.isDirectory()) {
    throw new CollectionRootError({ problem: "not-a-folder", path: rootPath, message: `${rootPath} is not a folder` })
  }
  const rootEntries = await rootStep<Array<Dirent>>(rootPath, (callback) => readdir(rootPath, { withFileTypes: true }, callback))

  const files: Array<WalkedFile> = []
  const warnings: Array<string> = []
  let hiddenSkipped = 0
  let symlinkedFoldersSkipped = 0
  let otherSkipped = 0

  // Plain callbacks and a job stack rather than a promise per call: this walk is most of an unchanged re-scan.
  await new Promise<void>((finish) => {
    type Job = (done: () => void) => void
    const jobs: Array<Job> = []
    let pending = 0
    let active = 0
    const done = (): void => {
      active--
      pending--
      const next = jobs.pop()
      if (next !== undefined) start(next)
      if (pending === 0) finish()
    }
    const start = (job: Job): void => {
      active++
      job(done)
    }
    const submit = (job: Job): void => {
      pending++
      if (active < fsConcurrency) start(job)
      else jobs.push(job)
    }

    const addFile = (path: string, isLink: boolean): Job => (jobDone) =>
      stat(path, (error, stats) => {
        if (error !== null) {
          warnings.push(`cannot read ${path}: ${isLink && error.code === "ENOENT" ? "broken symlink" : describe(error)}`)
        } else if (stats.isFile()) {
          files.push({ path, size: stats.size, mtimeMs: stats.mtimeMs })
        } else if (stats.isDirectory()) {
          symlinkedFoldersSkipped++
        } else {
          otherSkipped++
        }
        jobDone()
      })

    const readFolder = (folder: string): Job => (jobDone) =>
      readdir(folder, { withFileTypes: true }, (error, entries) => {
        if (error !== null) warnings.push(`cannot read folder ${folder}: ${describe(error)}`)
        else visit(folder, entries)
        jobDone()
      })

    const visit = (folder: string, entries: ReadonlyArray<Dirent>): void => {
      for (const entry of entries) {
        if (entry.name.startsWith(".")) {
          hiddenSkipped++
          continue
        }
        const path = join(folder, entry.name)
        if (entry.isDirectory()) submit(readFolder(path))
        else if (entry.isFile()) submit(addFile(path, false))
        else if (entry.isSymbolicLink()) submit(addFile(path, true))
        else otherSkipped++
      }
    }

    visit(rootPath, rootEntries)
    if (pending === 0) finish()
  })

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  warnings.sort()
  return { root: rootPath, files, hiddenSkipped, symlinkedFoldersSkipped, otherSkipped, warnings }
}
