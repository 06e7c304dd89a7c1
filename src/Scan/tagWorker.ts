import { parentPort } from "node:worker_threads"
import { readTags, type TagReadOutcome } from "./readTags.js"
import type { TagWorkerReply, TagWorkerRequest } from "./TagReaderPool.js"

const port = parentPort
if (port === null) throw new Error("tagWorker.js must run in a worker thread (see TagReaderPool)")

const reply = (message: TagWorkerReply): void => port.postMessage(message)

// Results finished in the same turn of the event loop travel in one message.
let finished: Array<{ readonly id: number; readonly outcome: TagReadOutcome }> = []
const flush = (): void => {
  reply({ type: "results", results: finished })
  finished = []
}

port.on("message", (requests: TagWorkerRequest) => {
  for (const { id, path, size } of requests) {
    void readTags(path, size).then((outcome) => {
      if (finished.length === 0) setImmediate(flush)
      finished.push({ id, outcome })
    })
  }
})
reply({ type: "ready" })
