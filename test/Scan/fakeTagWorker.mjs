// A stand-in for dist/tagWorker.js speaking the same protocol, to exercise the pool's scheduling and failure
// handling: a path containing "crash" kills the worker, "hang" blocks it forever. Other files answer after 5 ms,
// reporting as the length how many files this worker had in flight at most, and as the album which worker it is.
import { parentPort, threadId } from "node:worker_threads"

let inFlight = 0
let maxInFlight = 0
parentPort.on("message", (requests) => {
  for (const { id, path } of requests) {
    if (path.includes("crash")) setImmediate(() => { throw new Error(`crashed on ${path}`) })
    if (path.includes("hang")) for (;;);
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    setTimeout(() => {
      inFlight--
      const tags = { name: path, album: `worker ${threadId}`, artist: "", genre: "", track: 0, year: 0, length: maxInFlight }
      parentPort.postMessage({ type: "results", results: [{ id, outcome: { kind: "song", tags, warnings: [] } }] })
    }, 5)
  }
})
parentPort.postMessage({ type: "ready" })
