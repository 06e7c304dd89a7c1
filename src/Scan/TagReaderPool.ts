import { existsSync } from "node:fs"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { readTags, type TagReadOutcome } from "./readTags.js"

/** A path, or a path with the size the walk found (saves a `stat`). */
export type TagReadRequest = string | { readonly path: string; readonly size?: number | undefined }

export type TagReaderPoolOptions = {
  /** Worker threads; default `os.availableParallelism()`. 0 reads in the calling thread. */
  readonly workers?: number
  /** Files each worker (or, in-thread, each unit of `workers`) parses concurrently; default 8. */
  readonly inFlightPerWorker?: number
  /** The bundled worker; default `./tagWorker.js` next to this module. `null`, or a missing file, reads in-thread. */
  readonly workerScript?: URL | null
  /** A worker with files in flight that answers nothing for this long is replaced (its files retried alone); default 60 s. */
  readonly taskTimeoutMs?: number
}

export type TagReaderPool = {
  readonly mode: "workers" | "in-thread"
  /** Files parsed so far, over all `read` calls. */
  readonly parsedCount: number
  /**
   * Parses every file, calling `onResult` as each finishes (any order). Resolves once all are reported;
   * a bad file never rejects it (it is reported "corrupt"); an exception thrown by `onResult` does.
   */
  readonly read: (files: ReadonlyArray<TagReadRequest>, onResult: (path: string, outcome: TagReadOutcome) => void) => Promise<void>
  /** Stops the workers; pending reads reject. */
  readonly close: () => Promise<void>
}

/** Messages between the pool and `tagWorker.ts`, batched: a message costs more than parsing a small file's tags. */
export type TagWorkerRequest = ReadonlyArray<{ readonly id: number; readonly path: string; readonly size: number | undefined }>
export type TagWorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "results"; readonly results: ReadonlyArray<{ readonly id: number; readonly outcome: TagReadOutcome }> }

export const defaultWorkerScript = new URL("./tagWorker.js", import.meta.url)

type Batch = {
  remaining: number
  failed: boolean
  readonly onResult: (path: string, outcome: TagReadOutcome) => void
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
  ready: boolean
  dead: boolean
  exclusive: boolean
  readonly inFlight: Map<number, Task>
  /** When the worker started, last answered, or was given work while idle. */
  lastProgress: number
}

const usableScript = (script: URL | null): URL | undefined =>
  script !== null && script.protocol === "file:" && existsSync(fileURLToPath(script)) ? script : undefined

/** Consecutive workers dying before they are ready after which the pool gives up on workers. */
const maxStartupFailures = 2

export const makeTagReaderPool = (options: TagReaderPoolOptions = {}): TagReaderPool => {
  const workerCount = Math.max(0, Math.floor(options.workers ?? availableParallelism()))
  const inFlightPerWorker = Math.max(1, Math.floor(options.inFlightPerWorker ?? 8))
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
  const inThreadLimit = Math.max(1, workerCount) * inFlightPerWorker
  const queue: Array<Task> = []
  let queueHead = 0
  const isolated: Array<Task> = []
  const slots = new Set<Slot>()
  const batches = new Set<Batch>()

  const queued = (): number => queue.length - queueHead + isolated.length

  const takeQueued = (): Task | undefined => {
    const task = queue[queueHead]
    if (task === undefined) return undefined
    queueHead++
    if (queueHead > 1024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead)
      queueHead = 0
    }
    return task
  }

  const deliver = (task: Task, outcome: TagReadOutcome): void => {
    parsedCount++
    const batch = task.batch
    batch.remaining--
    if (batch.failed) return
    try {
      batch.onResult(task.path, outcome)
    } catch (error) {
      batch.failed = true
      batches.delete(batch)
      const keep = queue.slice(queueHead).filter((queuedTask) => queuedTask.batch !== batch)
      queue.length = 0
      queue.push(...keep)
      queueHead = 0
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
    if (startupFailures >= maxStartupFailures && slots.size === 0) mode = "in-thread"
    pump()
  }

  const startSlot = (): void => {
    if (script === undefined) return
    let worker: Worker
    try {
      worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 512 } })
    } catch {
      startupFailures = maxStartupFailures
      if (slots.size === 0) mode = "in-thread"
      return
    }
    const slot: Slot = { worker, ready: false, dead: false, exclusive: false, inFlight: new Map(), lastProgress: performance.now() }
    slots.add(slot)
    if (!referenced) worker.unref()
    worker.on("message", (message: TagWorkerReply) => {
      if (message.type === "ready") {
        slot.ready = true
        startupFailures = 0
      } else {
        slot.lastProgress = performance.now()
        for (const { id, outcome } of message.results) {
          const task = slot.inFlight.get(id)
          if (task === undefined) continue
          slot.inFlight.delete(id)
          if (task.isolated) slot.exclusive = false
          deliver(task, outcome)
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
    readTags(task.path, task.size).then(settle, (error: unknown) => settle({ kind: "corrupt", reason: String(error) }))
  }

  const pump = (): void => {
    if (closed) return
    if (mode === "in-thread") {
      while (inThreadActive < inThreadLimit) {
        const task = isolated.shift() ?? takeQueued()
        if (task === undefined) break
        runInThread(task)
      }
    } else {
      while (queued() > 0 && slots.size < workerCount && startupFailures < maxStartupFailures) startSlot()
      for (const slot of slots) {
        if (!slot.ready || slot.dead) continue
        if (isolated.length > 0) {
          // Let the worker drain, then give it the suspect alone, so a second crash names the culprit.
          const suspect = slot.inFlight.size === 0 ? isolated.shift() : undefined
          if (suspect !== undefined) send(slot, [suspect])
          continue
        }
        const batch: Array<Task> = []
        while (!slot.exclusive && slot.inFlight.size + batch.length < inFlightPerWorker) {
          const task = takeQueued()
          if (task === undefined) break
          batch.push(task)
        }
        send(slot, batch)
      }
    }
    updateReferences()
  }

  return {
    get mode() {
      return mode
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
        for (const file of files) {
          queue.push(typeof file === "string"
            ? { path: file, size: undefined, batch, isolated: false }
            : { path: file.path, size: file.size, batch, isolated: false })
        }
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
      queue.length = 0
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
