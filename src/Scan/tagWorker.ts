import { parentPort } from "node:worker_threads"
import { readTags } from "./readTags.js"
import type { TagWorkerReply, TagWorkerRequest } from "./TagReaderPool.js"

const port = parentPort
if (port === null) throw new Error("tagWorker.js must run in a worker thread (see TagReaderPool)")

const reply = (message: TagWorkerReply): void => port.postMessage(message)

port.on("message", (request: TagWorkerRequest) => {
  void readTags(request.path, request.size).then((outcome) => reply({ type: "result", id: request.id, outcome }))
})
reply({ type: "ready" })
