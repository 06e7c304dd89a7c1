import { existsSync } from "node:fs"
import { availableParallelism } from "node:os"
import { extname } from "node:path"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { setV8Flag } from "../Launch/setV8Flag.js"
import type { TagReadOutcome } from "./readTags.js"

/** A path, or a path with the size the walk found (saves a `stat`). */
export type TagReadRequest = string | { readonly path: string; readonly size?: number | undefined }

export type TagReaderPoolOptions = {
  /** Worker threads; default `os.availableParallelism()`. 0 reads in the calling thread. */
  readonly workers?: number
  /**
   * Files handed to each worker at a time (in-thread: parsed concurrently per unit of `workers`); default 64.
   * They go in batches of half that, so a worker always has the next batch while the pool answers the last.
   */
  readonly inFlightPerWorker?: number
  /** The bundled worker; default `./tagWorker.js` next to this module. `null`, or a missing file, reads in-thread. */
  readonly workerScript?: URL | null
  /** A worker with files in flight that answers nothing for this long is replaced (its files retried alone); default 60 s. */
  readonly taskTimeoutMs?: number
}

/** A file's outcome, with its song id (`songId` of its path) when a worker computed it. */
export type TagResultHandler = (path: string, outcome: TagReadOutcome, songId: string | undefined) => void

export type TagReaderPool = {
  readonly mode: "workers" | "in-thread"
  /** Starts the workers now (they take a while to load), before any file is queued; no-op in-thread. */
  readonly start: () => void
  /** Files parsed so far, over all `read` calls. */
  readonly parsedCount: number
  /**
   * Parses every file, calling `onResult` as each finishes (any order). Resolves once all are reported;
   * a bad file never rejects it (it is reported "corrupt"); an exception thrown by `onResult` does.
   */
  readonly read: (files: ReadonlyArray<TagReadRequest>, onResult: TagResultHandler) => Promise<void>
  /** Stops the workers; pending reads reject. */
  readonly close: () => Promise<void>
}

/**
 * Messages between the pool and `tagWorker.ts`, batched: a message costs more than parsing a small file's tags.
 * The worker answers each request once all its small files are read (large ones may answer on their own).
 */
export type TagWorkerRequest = ReadonlyArray<{ readonly id: number; readonly path: string; readonly size: number | undefined }>
export type TagWorkerReply =
  | { readonly type: "ready" }
  | {
    readonly type: "results"
    /** A song's id comes along (computed by the worker, not by the busier main thread). */
    readonly results: ReadonlyArray<{ readonly id: number; readonly outcome: TagReadOutcome; readonly songId?: string | undefined }>
  }

// The parser is loaded only when this thread reads tags itself: a scan whose files are all unchanged, or that
// reads them in workers, never compiles music-metadata here.
let readTagsModule: Promise<typeof import("./readTags.js")> | undefined
const loadReadTags = () => (readTagsModule ??= import("./readTags.js"))

export const defaultWorkerScript = new URL("./tagWorker.js", import.meta.url)

type Batch = {
  remaining: number
  failed: boolean
  readonly onResult: TagResultHandler
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

type Task = {
  readonly path: string
  readonly size: number | undefined
  readonly batch: Batch
  /** Was in flight in a worker that died: retried alone, and reported corrupt if that worker dies too. */
  isolated: boolean
}

type Slot = {
  readonly worker: Worker
  /** Which end of the queue this worker reads from (see `TaskQueue`). */
  readonly end: "head" | "tail"
  ready: boolean
  dead: boolean
  exclusive: boolean
  readonly inFlight: Map<number, Task>
  /** Sum of the sizes of the files in flight (those the walk measured). */
  inFlightBytes: number
  /** When the worker started, last answered, or was given work while idle. */
  lastProgress: number
}

const usableScript = (script: URL | null): URL | undefined =>
  script !== null && script.protocol === "file:" && existsSync(fileURLToPath(script)) ? script : undefined

// The parser a file will most likely need, from its extension. The formats readTags reads itself (fastTags.ts) come
// first, those it leaves to music-metadata last, with anything else (covers, texts, playlists: content sniffing):
// the worker taking from the tail loads music-metadata, the other one seldom has to.
const parserFamilies: ReadonlyArray<ReadonlyArray<string>> = [
  [".mp3", ".mp2", ".mp1", ".m2a", ".mpga"],
  [".flac"],
  [".m4a", ".m4b", ".m4p", ".m4r", ".mp4", ".m4v", ".3gp"],
  [".spx", ".ogg", ".oga", ".opus"],
  [".wav", ".wave", ".bwf", ".aif", ".aiff", ".aifc"],
  [".aac"],
  [".wma", ".asf", ".wmv"],
  [".ape", ".wv", ".mpc", ".dsf", ".dff", ".mka", ".webm"],
  [] // anything else: covers, texts, playlists, files without an extension
]
const familyOfExtension = new Map(parserFamilies.flatMap((extensions, family) => extensions.map((extension) => [extension, family] as const)))
const otherFamily = parserFamilies.findIndex((extensions) => extensions.length === 0)

const parserFamily = (path: string): number => familyOfExtension.get(extname(path).toLowerCase()) ?? otherFamily

/**
 * Waiting files, sorted by parser family, taken from both ends: with two workers, one starts with MP3s, the other
 * with the files music-metadata reads, and they meet in the middle. A worker's JIT then warms up only for the
 * parsers it runs (when music-metadata read every file, splitting the 5,920 files of the scan benchmark that way
 * took ~10% fewer instructions than two mixed halves), and only one worker loads music-metadata. Whichever worker
 * finishes its share first simply continues into the other's, so none idles while files wait.
 */
class TaskQueue {
  /** One list per parser family; the head end takes from the front of the first non-empty one, the tail end
   * from the back of the last. */
  private readonly families: Array<Array<Task>> = parserFamilies.map(() => [])
  private readonly fronts: Array<number> = parserFamilies.map(() => 0)
  private count = 0

  get size(): number {
    return this.count
  }

  add(tasks: ReadonlyArray<Task>): void {
    for (const task of tasks) this.families[parserFamily(task.path)]!.push(task)
    this.count += tasks.length
  }

  /** The task `take(end)` would return. */
  peek(end: "head" | "tail"): Task | undefined {
    const family = this.endFamily(end)
    if (family === undefined) return undefined
    const tasks = this.families[family]!
    return end === "head" ? tasks[this.fronts[family]!] : tasks[tasks.length - 1]
  }

  take(end: "head" | "tail"): Task | undefined {
    const family = this.endFamily(end)
    if (family === undefined) return undefined
    const tasks = this.families[family]!
    const task = end === "head" ? tasks[this.fronts[family]!++]! : tasks.pop()!
    if (this.fronts[family] === tasks.length) {
      tasks.length = 0
      this.fronts[family] = 0
    }
    this.count--
    return task
  }

  /** The first family with waiting tasks, from that end. */
  private endFamily(end: "head" | "tail"): number | undefined {
    if (this.count === 0) return undefined
    const last = this.families.length - 1
    for (let step = 0; step <= last; step++) {
      const family = end === "head" ? step : last - step
      if (this.fronts[family]! < this.families[family]!.length) return family
    }
    return undefined
  }

  /** Drops the waiting tasks that `drop` selects. */
  remove(drop: (task: Task) => boolean): void {
    this.count = 0
    for (let family = 0; family < this.families.length; family++) {
      const kept = this.families[family]!.slice(this.fronts[family]).filter((task) => !drop(task))
      this.families[family] = kept
      this.fronts[family] = 0
      this.count += kept.length
    }
  }

  clear(): void {
    this.remove(() => true)
  }
}

/**
 * V8 optimizes a function once it has run "enough" (its interrupt budget, 67,584 by default). Each worker is a
 * separate isolate that optimizes music-metadata's many async functions on its own, and for a scan of a few
 * thousand files that compiling (on V8's background threads) was ~40% of the CPU of reading tags. About six times
 * the default keeps the optimizing for the functions that are really hot. A worker's share of the 5,920-file scan
 * benchmark (2,960 files) then takes 12% fewer instructions, four times that share 8% fewer; time measurements
 * agree (−15%). V8 flags are per process (a worker's `execArgv` refuses them), so this is set once, by the first
 * pool that starts a worker: in a process that scans.
 */
const tuneV8ForScanning = (): void => {
  if (v8Tuned) return
  v8Tuned = true
  setV8Flag("interrupt-budget", 400_000)
}
let v8Tuned = false

/** Consecutive workers dying before they are ready after which the pool gives up on workers. */
const maxStartupFailures = 2

/** Bytes of files in flight per worker: dozens of small files, a handful of large ones. */
const inFlightBytesPerWorker = 32 * 1024 * 1024

export const makeTagReaderPool = (options: TagReaderPoolOptions = {}): TagReaderPool => {
  const workerCount = Math.max(0, Math.floor(options.workers ?? availableParallelism()))
  const inFlightPerWorker = Math.max(1, Math.floor(options.inFlightPerWorker ?? 64))
  const batchSize = Math.ceil(inFlightPerWorker / 2)
  const taskTimeoutMs = options.taskTimeoutMs ?? 60_000
  const script = workerCount > 0 ? usableScript(options.workerScript === undefined ? defaultWorkerScript : options.workerScript) : undefined

  let mode: TagReaderPool["mode"] = script === undefined ? "in-thread" : "workers"
  let parsedCount = 0
  let closed = false
  let nextId = 0
  let startupFailures = 0
  let inThreadActive = 0
  let referenced = false
  let watchdog: NodeJS.Timeout | undefined
  const inThreadLimit = Math.max(1, workerCount) * Math.min(inFlightPerWorker, 8)
  const queue = new TaskQueue()
  const isolated: Array<Task> = []
  const slots = new Set<Slot>()
  const batches = new Set<Batch>()

  const queued = (): number => queue.size + isolated.length


  const startSlots = (): void => {
    while (mode === "workers" && slots.size < workerCount && startupFailures < maxStartupFailures) startSlot()
  }

  const deliver = (task: Task, outcome: TagReadOutcome, songId?: string): void => {
    parsedCount++
    const batch = task.batch
    batch.remaining--
    if (batch.failed) return
    try {
      batch.onResult(task.path, outcome, songId)
    } catch (error) {
      batch.failed = true
      batches.delete(batch)
      queue.remove((queuedTask) => queuedTask.batch === batch)
      isolated.splice(0, isolated.length, ...isolated.filter((queuedTask) => queuedTask.batch !== batch))
      batch.reject(error)
      return
    }
    if (batch.remaining === 0) {
      batches.delete(batch)
      batch.resolve()
    }
  }

  // Idle workers must not keep the process alive, busy ones must (a pending promise does not).
  const updateReferences = (): void => {
    let busy = queued() > 0
    for (const slot of slots) busy ||= slot.inFlight.size > 0
    if (busy === referenced) return
    referenced = busy
    for (const slot of slots) {
      if (busy) slot.worker.ref()
      else slot.worker.unref()
    }
    if (busy && mode === "workers") {
      watchdog ??= setInterval(checkProgress, Math.min(1000, Math.max(10, taskTimeoutMs / 4)))
      watchdog.unref()
    } else {
      clearInterval(watchdog)
      watchdog = undefined
    }
  }

  const checkProgress = (): void => {
    const now = performance.now()
    for (const slot of slots) {
      if ((slot.inFlight.size > 0 || !slot.ready) && now - slot.lastProgress > taskTimeoutMs) fail(slot, `no answer within ${taskTimeoutMs} ms`)
    }
  }

  const fail = (slot: Slot, reason: string): void => {
    if (slot.dead) return
    slot.dead = true
    slots.delete(slot)
    void slot.worker.terminate()
    if (closed) return
    if (!slot.ready) startupFailures++
    for (const task of slot.inFlight.values()) {
      if (task.isolated) deliver(task, { kind: "corrupt", reason: `the tag reader failed on this file twice (${reason})` })
      else {
        task.isolated = true
        isolated.push(task)
      }
    }
    slot.inFlight.clear()
    slot.inFlightBytes = 0
    if (startupFailures >= maxStartupFailures && slots.size === 0) mode = "in-thread"
    pump()
  }

  const startSlot = (): void => {
    if (script === undefined) return
    tuneV8ForScanning()
    let worker: Worker
    try {
      worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 512 } })
    } catch {
      startupFailures = maxStartupFailures
      if (slots.size === 0) mode = "in-thread"
      return
    }
    let heads = 0
    for (const other of slots) if (other.end === "head") heads++
    const end = heads * 2 <= slots.size ? "head" : "tail"
    const slot: Slot = { worker, end, ready: false, dead: false, exclusive: false, inFlight: new Map(), inFlightBytes: 0, lastProgress: performance.now() }
    slots.add(slot)
    if (!referenced) worker.unref()
    worker.on("message", (message: TagWorkerReply) => {
      if (message.type === "ready") {
        slot.ready = true
        startupFailures = 0
      } else {
        slot.lastProgress = performance.now()
        for (const { id, outcome, songId } of message.results) {
          const task = slot.inFlight.get(id)
          if (task === undefined) continue
          slot.inFlight.delete(id)
          slot.inFlightBytes -= task.size ?? 0
          if (task.isolated) slot.exclusive = false
          deliver(task, outcome, songId)
        }
      }
      pump()
    })
    worker.on("error", (error) => fail(slot, error.message))
    worker.on("exit", (code) => fail(slot, `worker exited with code ${code}`))
  }

  const send = (slot: Slot, tasks: ReadonlyArray<Task>): void => {
    if (tasks.length === 0) return
    if (slot.inFlight.size === 0) slot.lastProgress = performance.now()
    const request: TagWorkerRequest = tasks.map((task) => {
      const id = nextId++
      slot.inFlight.set(id, task)
      slot.inFlightBytes += task.size ?? 0
      if (task.isolated) slot.exclusive = true
      return { id, path: task.path, size: task.size }
    })
    slot.worker.postMessage(request)
  }

  const runInThread = (task: Task): void => {
    inThreadActive++
    const settle = (outcome: TagReadOutcome): void => {
      inThreadActive--
      deliver(task, outcome)
      pump()
    }
    loadReadTags()
      .then(({ readTags }) => readTags(task.path, task.size))
      .then(settle, (error: unknown) => settle({ kind: "corrupt", reason: String(error) }))
  }

  const pump = (): void => {
    if (closed) return
    if (mode === "in-thread") {
      while (inThreadActive < inThreadLimit) {
        const task = isolated.shift() ?? queue.take("head")
        if (task === undefined) break
        runInThread(task)
      }
    } else {
      if (queued() > 0) startSlots()
      for (const slot of slots) {
        if (!slot.ready || slot.dead) continue
        if (isolated.length > 0) {
          // Let the worker drain, then give it the suspect alone, so a second crash names the culprit.
          const suspect = slot.inFlight.size === 0 ? isolated.shift() : undefined
          if (suspect !== undefined) send(slot, [suspect])
          continue
        }
        // Near the end of the queue, smaller batches, so that no worker sits idle while another has a backlog.
        const share = Math.max(1, Math.ceil(queue.size / (2 * slots.size)))
        while (!slot.exclusive && slot.inFlight.size < inFlightPerWorker && queue.size > 0) {
          const batch: Array<Task> = []
          const size = Math.min(inFlightPerWorker - slot.inFlight.size, batchSize, share)
          let bytes = slot.inFlightBytes
          while (batch.length < size) {
            const next = queue.peek(slot.end)
            if (next === undefined) break
            // Large files: a few at a time, or one worker could end up with a long backlog while the other idles.
            if (bytes + (next.size ?? 0) > inFlightBytesPerWorker && (batch.length > 0 || slot.inFlight.size > 0)) break
            bytes += next.size ?? 0
            batch.push(queue.take(slot.end)!)
          }
          if (batch.length === 0) break
          send(slot, batch)
        }
      }
    }
    updateReferences()
  }

  return {
    get mode() {
      return mode
    },
    start: () => {
      if (!closed) startSlots()
    },
    get parsedCount() {
      return parsedCount
    },
    read: (files, onResult) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error("the tag reader pool is closed"))
        if (files.length === 0) return resolve()
        const batch: Batch = { remaining: files.length, failed: false, onResult, resolve, reject }
        batches.add(batch)
        queue.add(files.map((file): Task =>
          typeof file === "string"
            ? { path: file, size: undefined, batch, isolated: false }
            : { path: file.path, size: file.size, batch, isolated: false }))
        pump()
      }),
    close: async () => {
      if (closed) return
      closed = true
      const workers = [...slots].map((slot) => {
        slot.dead = true
        return slot.worker.terminate()
      })
      slots.clear()
      clearInterval(watchdog)
      queue.clear()
      isolated.length = 0
      for (const batch of batches) {
        batch.failed = true
        batch.reject(new Error("the tag reader pool was closed before all tags were read"))
      }
      batches.clear()
      await Promise.all(workers)
    }
  }
}
