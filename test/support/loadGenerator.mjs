// A closed-loop HTTP load in its own process: `connections` loops, each on its own kept-alive socket, send the
// benchmark's mix of requests (scripts/bench/serve.mjs `httpEndpoints`, with paging through the artists and a
// few full dumps) for `seconds`, and check every answer.
//
//   node test/support/loadGenerator.mjs '{"url":"http://127.0.0.1:8000","seconds":30,"connections":200,"picks":{…}}'
//
// Prints `tick <ms since start> <answers so far>` every second, then `result <JSON>` once every request is
// answered. An answer is good when its status is 200 and its body is the expected kind (`OKOKOK`, or the JSON
// envelope with a non-empty `success` list and no error) and byte for byte the first answer to the same URL (the
// catalog does not change during the run). Anything else, including a reset or a timed-out request, is an error.
import { Agent, request } from "node:http"

const options = JSON.parse(process.argv[2] ?? "{}")
const { url, seconds, connections, picks } = options
const dumpsInFlightLimit = options.dumpsInFlight ?? 2
/** A full dump is sent once per this many requests, when fewer than `dumpsInFlightLimit` are in flight. */
const dumpEvery = options.dumpEvery ?? 1000
const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
const artistPages = options.artistPages ?? 200

const q = encodeURIComponent
/** name, weight (requests per cycle), path for the n-th request of that name. */
const mix = [
  ["heartbeat", 3, () => "/avalon/heartbeat"],
  ["songs?artist", 1, () => `/avalon/songs?artist=${q(picks.artist)}`],
  ["songs?query&limit=50", 2, () => `/avalon/songs?query=${q(picks.songPrefix)}&limit=50`],
  ["albums?query&order&limit=20", 2, () => `/avalon/albums?query=${q(picks.albumPrefix)}&order=name&limit=20`],
  ["artists?order&limit&offset", 2, (n) => `/avalon/artists?order=name&limit=20&offset=${(n % artistPages) * 20}`],
  ["songs?genre&order=year desc", 1, () => `/avalon/songs?genre=${q(picks.genre)}&order=year&direction=desc&limit=25`],
  ["genres", 1, () => "/avalon/genres"]
]
const cycle = mix.flatMap(([name, weight, path]) => Array.from({ length: weight }, () => ({ name, path })))
const dumps = ["/avalon/songs", "/avalon/albums", "/avalon/artists"]

const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections })
const sockets = new Set()
const latencies = []
const counts = {}
const statuses = {}
const errors = []
let errorCount = 0
let answered = 0
let sent = 0
let dumpsInFlight = 0
let dumpsSent = 0
const first = new Map()
const perName = new Map()

const recordError = (path, text) => {
  errorCount++
  if (errors.length < 20) errors.push(`${path}: ${text}`)
}

const checkBody = (path, body) => {
  const seen = first.get(path)
  if (seen !== undefined) return seen.equals(body) ? undefined : `body differs from the first answer (${body.length} bytes, first ${seen.length})`
  let problem
  if (path.endsWith("/heartbeat")) {
    if (body.toString() !== "OKOKOK") problem = `heartbeat answered ${JSON.stringify(body.toString().slice(0, 100))}`
  } else {
    try {
      const parsed = JSON.parse(body.toString())
      if (!Array.isArray(parsed.success) || parsed.success.length === 0) problem = "success is not a non-empty list"
      else if (parsed.errors?.length !== 0 || parsed.warnings?.length !== 0) problem = `errors or warnings: ${JSON.stringify(parsed).slice(0, 300)}`
    } catch (error) {
      problem = `not JSON: ${error.message}`
    }
  }
  if (problem === undefined) first.set(path, body)
  return problem
}

const get = (name, path) =>
  new Promise((done) => {
    const started = performance.now()
    let settled = false
    const settle = (problem) => {
      if (settled) return
      settled = true
      answered++
      counts[name] = (counts[name] ?? 0) + 1
      if (problem === undefined) latencies.push(performance.now() - started)
      else recordError(path, problem)
      done()
    }
    const outgoing = request({ host: target.hostname, port: target.port, path, agent, method: "GET" }, (response) => {
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1
      const chunks = []
      response.on("data", (chunk) => chunks.push(chunk))
      response.on("error", (error) => settle(`response error ${error.code ?? error.message}`))
      response.on("aborted", () => settle("response aborted"))
      response.on("end", () => {
        if (response.statusCode !== 200) return settle(`status ${response.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`)
        settle(checkBody(path, Buffer.concat(chunks)))
      })
    })
    outgoing.on("socket", (socket) => sockets.add(socket))
    outgoing.setTimeout(requestTimeoutMs, () => outgoing.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)))
    outgoing.on("error", (error) => settle(`request error ${error.code ?? error.message}`))
    outgoing.end()
  })

const target = new URL(url)
const startedAt = performance.now()
const deadline = startedAt + seconds * 1000

const loop = async () => {
  while (performance.now() < deadline) {
    if (sent > 0 && sent % dumpEvery === 0 && dumpsInFlight < dumpsInFlightLimit) {
      const path = dumps[dumpsSent++ % dumps.length]
      sent++
      dumpsInFlight++
      await get(`dump ${path}`, path)
      dumpsInFlight--
      continue
    }
    const { name, path } = cycle[sent++ % cycle.length]
    const n = perName.get(name) ?? 0
    perName.set(name, n + 1)
    await get(name, path(n))
  }
}

const ticker = setInterval(() => process.stdout.write(`tick ${Math.round(performance.now() - startedAt)} ${answered}\n`), 1000)
await Promise.all(Array.from({ length: connections }, loop))
clearInterval(ticker)
const elapsedMs = performance.now() - startedAt
agent.destroy()

latencies.sort((a, b) => a - b)
const percentile = (p) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))])
process.stdout.write(`result ${JSON.stringify({
  requests: answered,
  elapsedMs,
  errorCount,
  errors,
  statuses,
  counts,
  sockets: sockets.size,
  latencyMs: { p50: percentile(50), p90: percentile(90), p99: percentile(99), max: latencies.at(-1) ?? null }
})}\n`)
