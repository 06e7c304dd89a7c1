import { parentPort } from "node:worker_threads"
import { songId } from "../Domain/Ids.js"
import { saveCodeCache } from "../Launch/saveCodeCache.js"
import { readTags, type TagReadOutcome, wholeFileLimit } from "./readTags.js"
import type { TagWorkerReply, TagWorkerRequest } from "./TagReaderPool.js"

const port = parentPort
if (port === null) throw new Error("tagWorker.js must run in a worker thread (see TagReaderPool)")

type Request = TagWorkerRequest[number]

/** Large files are read through the file system's async API: several at a time, so their I/O overlaps. */
const largeFilesInFlight = 4

/** Requests as they came, one array per message: each message's results are answered together. */
const batches: Array<TagWorkerRequest> = []
let next = 0
let large = 0
let draining = false
let flushScheduled = false
let finished: Array<{ readonly id: number; readonly outcome: TagReadOutcome; readonly songId: string | undefined }> = []

// The song's id too: hashing every path on the main thread, which also walks the folder, delayed the scan.
const result = (request: Request, outcome: TagReadOutcome) =>
  ({ id: request.id, outcome, songId: outcome.kind === "song" ? songId(request.path) : undefined })

const flush = (): void => {
  flushScheduled = false
  if (finished.length === 0) return
  const reply: TagWorkerReply = { type: "results", results: finished }
  finished = []
  port.postMessage(reply)
}

// Once out of work, the parsers this collection needs are compiled: the time to save the code cache (before the
// answer that may be the last, so that the pool cannot stop this thread while it writes).
const saveCodeCacheWhenIdle = (): void => {
  if (batches.length === 0 && large === 0) saveCodeCache()
}

const finishLarge = (request: Request, outcome: TagReadOutcome): void => {
  finished.push(result(request, outcome))
  large--
  saveCodeCacheWhenIdle()
  if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flush)
  }
  if (!draining) void drain()
}

const isLarge = (request: Request): boolean => request.size === undefined || request.size > wholeFileLimit

// Small files one at a time: each reuses readTags' read buffer, and nothing is gained by interleaving parses
// that never wait for I/O. A batch of them is parsed within one turn of the event loop, and answered at its
// end, while the pool's next batch is already waiting here. Large files are started alongside, up to
// `largeFilesInFlight`, and answered as they finish.
const drain = async (): Promise<void> => {
  draining = true
  for (;;) {
    const batch = batches[0]
    if (batch === undefined) break
    const request = batch[next]
    if (request === undefined) {
      batches.shift()
      next = 0
      saveCodeCacheWhenIdle()
      flush()
      continue
    }
    if (isLarge(request)) {
      if (large >= largeFilesInFlight) break
      large++
      next++
      void readTags(request.path, request.size).then((outcome) => finishLarge(request, outcome))
    } else {
      next++
      finished.push(result(request, await readTags(request.path, request.size)))
    }
  }
  draining = false
}

port.on("message", (requests: TagWorkerRequest) => {
  batches.push(requests)
  if (!draining) void drain()
})
port.postMessage({ type: "ready" } satisfies TagWorkerReply)
