// Start-up, HTTP throughput/latency against the bare node:http floor, and --workers scaling.
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import { benchDir, childPids, processCpuMs, track, freePort, httpGet, log, mean, median, procStatus, sleep, startAvalon, waitForQuiet } from "./lib.mjs"

// ---------------------------------------------------------------- wrk

/**
 * One wrk run; resolves with req/s, latency percentiles (µs) and errors. `pipeline` > 1: each connection sends
 * that many requests at a time (see report.lua).
 */
export const runWrk = ({ url, connections, seconds, threads = 1, timeoutSeconds = 30, headers = {}, pipeline = 1, lowPriority = false }) =>
  new Promise((resolve, reject) => {
    const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`])
    const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, `--timeout`, `${timeoutSeconds}s`, ...headerArgs, "-s", join(benchDir, "report.lua"), url]
    const env = { ...process.env, WRK_PIPELINE: String(pipeline) }
    // At the lowest priority wrk runs only on CPU time the servers leave, and then finds many answers waiting.
    const command = lowPriority ? ["nice", ["-n", "19", "wrk", ...args]] : ["wrk", args]
    const child = track(spawn(...command, { stdio: ["ignore", "pipe", "pipe"], env }))
    let out = ""
    child.stdout.on("data", (chunk) => (out += chunk))
    child.stderr.on("data", (chunk) => (out += chunk))
    child.on("error", (error) => reject(new Error(`cannot run wrk (apt-get install wrk): ${error.message}`)))
    child.on("exit", (code) => {
      const line = /^WRKJSON (.*)$/m.exec(out)?.[1]
      if (code !== 0 || line === undefined) return reject(new Error(`wrk ${args.join(" ")} failed (${code}):\n${out}`))
      const raw = JSON.parse(line)
      const errors = Object.values(raw.errors).reduce((a, b) => a + b, 0)
      resolve({
        rps: raw.requests / (raw.duration_us / 1e6),
        seconds: raw.duration_us / 1e6,
        requests: raw.requests,
        bytes: raw.bytes,
        errors,
        errorDetail: raw.errors,
        latencyUs: raw.latency_us,
        // Clock ticks of 10 ms: coarse, but a 3 s run holds hundreds of them.
        wrkCpuUsPerRequest: raw.cpu_ticks >= 0 ? (raw.cpu_ticks * 10_000) / Math.max(1, raw.requests) : NaN
      })
    })
  })

// ---------------------------------------------------------------- the floor

export const startFloor = async (manifestFile, launch = (args) => spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })) => {
  const port = await freePort()
  const child = track(launch([join(benchDir, "floor-server.mjs"), manifestFile, String(port)]))
  await new Promise((resolve, reject) => {
    let out = ""
    child.stdout.on("data", (chunk) => {
      out += chunk
      if (out.includes("listening")) resolve()
    })
    child.once("exit", (code) => reject(new Error(`floor server exited with ${code}`)))
  })
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => new Promise((done) => {
      child.once("exit", done)
      child.kill("SIGTERM")
    })
  }
}

// ---------------------------------------------------------------- start-up

const parseLoadLine = (line) => {
  if (line === undefined) return {}
  return {
    loadSeconds: Number(/loaded in ([\d.]+) s/.exec(line)?.[1]),
    loggedRssMB: Number(/memory (\d+) MB RSS/.exec(line)?.[1])
  }
}

/** A bare node:http process answering OKOKOK: the floor of "process start → first OKOKOK". */
const bareNodeStartup = async () => {
  const port = await freePort()
  const started = performance.now()
  const child = track(spawn(process.execPath, ["-e", `require("node:http").createServer((q, r) => r.end("OKOKOK")).listen(${port}, "127.0.0.1")`], { stdio: "ignore" }))
  let okMs
  while (okMs === undefined && performance.now() - started < 10_000) {
    try {
      if ((await httpGet(`http://127.0.0.1:${port}/`)).body.toString() === "OKOKOK") okMs = performance.now() - started
    } catch {
      await sleep(5)
    }
  }
  const memory = procStatus(child.pid)
  child.kill("SIGKILL")
  return { okMs, peakRssKB: memory.VmHWM }
}

/**
 * Starts the server `repeats` times on each database and measures process start → first OKOKOK and the peak RSS
 * (VmHWM) right after the load.
 */
export const benchStartup = async ({ bin, databases, repeats, nodeArgs = [] }) => {
  const results = { bareNode: await bareNodeStartup(), databases: [] }
  for (const db of databases) {
    const runs = []
    for (let i = 0; i < repeats; i++) {
      await waitForQuiet()
      const server = await startAvalon({ bin, env: { AVALON_DATABASE_URL: db.url, ...db.env }, nodeArgs })
      runs.push({
        okMs: server.okMs,
        listeningMs: server.listeningMs,
        peakRssKB: server.memory.VmHWM,
        rssKB: server.memory.VmRSS,
        ...parseLoadLine(server.loadLine),
        loadLine: server.loadLine
      })
      await server.stop()
      log(`start-up ${db.kind} #${i + 1}: OKOKOK after ${(server.okMs / 1000).toFixed(2)} s, peak RSS ${Math.round(server.memory.VmHWM / 1024)} MB`)
    }
    results.databases.push({
      kind: db.kind,
      runs,
      okMs: median(runs.map((r) => r.okMs)),
      listeningMs: median(runs.map((r) => r.listeningMs)),
      loadSeconds: median(runs.map((r) => r.loadSeconds)),
      peakRssKB: median(runs.map((r) => r.peakRssKB))
    })
  }
  return results
}

// ---------------------------------------------------------------- throughput

export const httpEndpoints = (picks) => {
  const q = encodeURIComponent
  return [
    { key: "heartbeat", path: "/avalon/heartbeat" },
    { key: "songs?artist", path: `/avalon/songs?artist=${q(picks.artist)}`, limited: false },
    { key: "songs?query&limit=50", path: `/avalon/songs?query=${q(picks.songPrefix)}&limit=50`, limited: true },
    { key: "albums?query&order&limit=20", path: `/avalon/albums?query=${q(picks.albumPrefix)}&order=name&limit=20`, limited: true },
    { key: "artists?order&limit&offset", path: "/avalon/artists?order=name&limit=20&offset=100", limited: true },
    { key: "songs?genre&order=year desc", path: `/avalon/songs?genre=${q(picks.genre)}&order=year&direction=desc&limit=25`, limited: true },
    { key: "genres", path: "/avalon/genres" },
    { key: "songs (full dump)", path: "/avalon/songs", dump: true },
    // The whole change log merged: 100 scans, each changing 0.1% of the songs (see generate.mjs).
    { key: "changes?since", path: "/avalon/changes?since=1" },
    // The OpenAPI document: static, built on its first request.
    { key: "openapi.json", path: "/avalon/openapi.json" },
    // What HTTP caching and compression cost: a revalidation answered 304, and pre-compressed full lists.
    { key: "songs?query&limit=50 → 304", path: `/avalon/songs?query=${q(picks.songPrefix)}&limit=50`, conditional: true },
    { key: "genres (br)", path: "/avalon/genres", headers: { "accept-encoding": "br" } },
    { key: "songs (full dump, br)", path: "/avalon/songs", dump: true, headers: { "accept-encoding": "br" } }
  ]
}

/** The response headers the floor replays (node:http writes the others itself). */
export const replayedHeaders = (headers) => {
  const replayed = {}
  for (const [name, value] of Object.entries(headers)) if (!["date", "connection", "keep-alive", "transfer-encoding"].includes(name)) replayed[name] = value
  return replayed
}

const sameHeaders = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())

const decodedBody = (answer) =>
  answer.headers["content-encoding"] === "br" ? brotliDecompressSync(answer.body)
  : answer.headers["content-encoding"] === "gzip" ? gunzipSync(answer.body)
  : answer.body

const itemCount = (body) => {
  if (body.length > 64 * 1024 * 1024) return undefined
  try {
    const parsed = JSON.parse(body.toString())
    return Array.isArray(parsed.success) ? parsed.success.length : undefined
  } catch {
    return undefined
  }
}

/**
 * For each endpoint: capture Avalon's answer once, serve the identical bytes from a bare node:http process,
 * then alternate wrk rounds (Avalon, floor, Avalon, floor, …) after a short warm-up of both.
 */
export const benchHttp = async ({ server, endpoints, seconds, rounds, connections, dumpConnections, warmupSeconds, workDir }) => {
  mkdirSync(workDir, { recursive: true })
  const manifest = []
  const captured = []
  for (const [index, endpoint] of endpoints.entries()) {
    const url = server.base.replace(/\/avalon$/, "") + endpoint.path
    const requestHeaders = { ...endpoint.headers }
    if (endpoint.conditional) requestHeaders["if-none-match"] = (await httpGet(url, { headers: requestHeaders })).headers.etag
    let answer = await httpGet(url, { headers: requestHeaders })
    // A full list is compressed on the thread pool on first demand, and served uncompressed until then.
    const coding = requestHeaders["accept-encoding"]
    for (let i = 0; coding !== undefined && answer.headers["content-encoding"] !== coding && i < 600; i++) {
      await sleep(100)
      answer = await httpGet(url, { headers: requestHeaders })
    }
    const expected = endpoint.conditional ? 304 : 200
    if (answer.status !== expected) throw new Error(`${endpoint.path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`)
    if (coding !== undefined && answer.headers["content-encoding"] !== coding) throw new Error(`${endpoint.path} was never answered in ${coding}`)
    const file = join(workDir, `body-${index}`)
    writeFileSync(file, answer.body)
    manifest.push({
      url: endpoint.path,
      acceptEncoding: requestHeaders["accept-encoding"] ?? "",
      ifNoneMatch: requestHeaders["if-none-match"] ?? "",
      status: answer.status,
      headers: replayedHeaders(answer.headers),
      file
    })
    // For a paged query, how many items match in all (the work behind the page).
    let matches
    if (endpoint.limited) {
      const all = await httpGet(server.base.replace(/\/avalon$/, "") + endpoint.path.replace(/&(limit|offset)=\d+/g, ""))
      matches = itemCount(all.body)
    }
    captured.push({
      ...endpoint, requestHeaders, status: answer.status, file, bytes: answer.body.length, items: itemCount(decodedBody(answer)), matches,
      headers: replayedHeaders(answer.headers), firstFetchMs: answer.ms
    })
  }
  const manifestFile = join(workDir, "manifest.json")
  writeFileSync(manifestFile, JSON.stringify(manifest))
  const floor = await startFloor(manifestFile)
  try {
    // The floor must answer the very same status, headers and bytes.
    for (const endpoint of captured) {
      const mine = await httpGet(floor.base + endpoint.path, { headers: endpoint.requestHeaders })
      const theirs = readFileSync(endpoint.file)
      if (mine.status !== endpoint.status || !mine.body.equals(theirs) || !sameHeaders(replayedHeaders(mine.headers), endpoint.headers)) {
        throw new Error(`floor answer differs for ${endpoint.key}`)
      }
    }
    const results = []
    for (const endpoint of captured) {
      const conns = endpoint.dump ? dumpConnections : connections
      const target = (base) => ({ url: base + endpoint.path, connections: conns, seconds, timeoutSeconds: endpoint.dump ? 60 : 10, headers: endpoint.requestHeaders })
      const avalonBase = server.base.replace(/\/avalon$/, "")
      if (warmupSeconds > 0) {
        await runWrk({ ...target(avalonBase), seconds: warmupSeconds })
        await runWrk({ ...target(floor.base), seconds: warmupSeconds })
      }
      const avalonRuns = []
      const floorRuns = []
      // The server's own CPU time per request: what each answer costs, whoever else shares the cores.
      const measured = async (base, pid) => {
        const quiet = await waitForQuiet()
        const before = processCpuMs(pid)
        const run = await runWrk(target(base))
        return { ...run, cpuUsPerRequest: ((processCpuMs(pid) - before) * 1000) / Math.max(1, run.requests), otherBusyCoresBefore: quiet.busyCores }
      }
      for (let r = 0; r < rounds; r++) {
        avalonRuns.push(await measured(avalonBase, server.child.pid))
        floorRuns.push(await measured(floor.base, floor.pid))
      }
      // Best of the rounds: interference from other work on a shared machine only ever lowers a figure.
      const summarize = (runs) => ({
        rps: Math.max(...runs.map((run) => run.rps)),
        meanRps: mean(runs.map((run) => run.rps)),
        rpsRounds: runs.map((run) => Math.round(run.rps)),
        p50Ms: median(runs.map((run) => run.latencyUs.p50 / 1000)),
        p99Ms: median(runs.map((run) => run.latencyUs.p99 / 1000)),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        cpuUsPerRequest: Math.min(...runs.map((run) => run.cpuUsPerRequest)),
        runs
      })
      const result = { ...endpoint, connections: conns, avalon: summarize(avalonRuns), floor: summarize(floorRuns) }
      result.ratio = result.avalon.rps / result.floor.rps
      result.meanRatio = result.avalon.meanRps / result.floor.meanRps
      result.cpuRatio = result.floor.cpuUsPerRequest / result.avalon.cpuUsPerRequest
      if (endpoint.dump) {
        // One client, one dump after another: how long a full dump takes.
        const single = await runWrk({ ...target(avalonBase), connections: 1, seconds: Math.max(2, Math.ceil(seconds / 2)) })
        const singleFloor = await runWrk({ ...target(floor.base), connections: 1, seconds: Math.max(2, Math.ceil(seconds / 2)) })
        result.singleClientMs = single.latencyUs.p50 / 1000
        result.singleClientFloorMs = singleFloor.latencyUs.p50 / 1000
      }
      log(`${endpoint.key}: avalon ${Math.round(result.avalon.rps)} req/s (p50 ${result.avalon.p50Ms.toFixed(2)} ms, p99 ${result.avalon.p99Ms.toFixed(2)} ms), floor ${Math.round(result.floor.rps)} req/s, ratio ${result.ratio.toFixed(2)}; ` +
        `server CPU per request ${result.avalon.cpuUsPerRequest.toFixed(1)} µs, floor ${result.floor.cpuUsPerRequest.toFixed(1)} µs, ratio ${result.cpuRatio.toFixed(2)}`)
      results.push(result)
    }
    return { floorPid: floor.pid, endpoints: results }
  } finally {
    await floor.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- --workers

/**
 * One server with --workers 1 and one with --workers 2 side by side; alternating wrk rounds on the same URLs, first
 * with one request at a time per connection, then pipelined `pipelineDepth` deep at the lowest CPU priority. wrk
 * shares the two cores with the servers and needs most of one to drive one request at a time; pipelined, and run
 * only when a core is free (`nice -n 19`), it wakes less often, finds several answers per read and needs far less
 * CPU per request, so that pass shows what a second worker adds when the load generator does not take the core
 * it would run on. (Niced one request at a time, wrk would leave the servers waiting for requests.)
 */
export const benchWorkers = async ({ bin, url, paths, seconds, rounds, connections, warmupSeconds, nodeArgs = [], pipelineDepth = 8 }) => {
  const one = await startAvalon({ bin, env: { AVALON_DATABASE_URL: url }, args: ["--workers", "1"], nodeArgs })
  const two = await startAvalon({ bin, env: { AVALON_DATABASE_URL: url }, args: ["--workers", "2"], nodeArgs })
  try {
    await sleep(500)
    const processes = { workers1: 1 + childPids(one.child.pid).length, workers2: 1 + childPids(two.child.pid).length }
    const results = []
    const compare = async (path, pipeline) => {
      const at = (server) => ({ url: `http://127.0.0.1:${server.port}${path}`, connections, seconds, pipeline, lowPriority: pipeline > 1 })
      if (warmupSeconds > 0) {
        await runWrk({ ...at(one), seconds: warmupSeconds })
        await runWrk({ ...at(two), seconds: warmupSeconds })
      }
      // CPU time of the server's processes (the primary and its workers) per request.
      const measured = async (server) => {
        await waitForQuiet()
        const pids = [server.child.pid, ...childPids(server.child.pid)]
        const cpuMs = () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0)
        const before = cpuMs()
        const run = await runWrk(at(server))
        return { ...run, cpuUsPerRequest: ((cpuMs() - before) * 1000) / Math.max(1, run.requests) }
      }
      const w1 = []
      const w2 = []
      for (let r = 0; r < rounds; r++) {
        w1.push(await measured(one))
        w2.push(await measured(two))
      }
      const summary = (runs) => ({
        rps: Math.max(...runs.map((run) => run.rps)),
        p99Ms: median(runs.map((run) => run.latencyUs.p99 / 1000)),
        cpuUsPerRequest: median(runs.map((run) => run.cpuUsPerRequest)),
        wrkCpuUsPerRequest: median(runs.map((run) => run.wrkCpuUsPerRequest)),
        errors: runs.reduce((a, run) => a + run.errors, 0)
      })
      const result = { workers1: summary(w1), workers2: summary(w2) }
      result.scaling = result.workers2.rps / result.workers1.rps
      const how = pipeline > 1 ? `pipelined ${pipeline} deep, wrk at nice 19` : "one request at a time"
      log(`workers ${path} (${how}): 1 → ${Math.round(result.workers1.rps)} req/s, 2 → ${Math.round(result.workers2.rps)} req/s (×${result.scaling.toFixed(2)}); ` +
        `server CPU per request ${result.workers1.cpuUsPerRequest.toFixed(1)} and ${result.workers2.cpuUsPerRequest.toFixed(1)} µs, ` +
        `wrk's ${result.workers1.wrkCpuUsPerRequest.toFixed(1)} and ${result.workers2.wrkCpuUsPerRequest.toFixed(1)} µs`)
      return result
    }
    for (const path of paths) {
      const plain = await compare(path, 1)
      const pipelined = await compare(path, pipelineDepth)
      results.push({ path, ...plain, pipelined: { depth: pipelineDepth, ...pipelined } })
    }
    return { processes, endpoints: results }
  } finally {
    await one.stop()
    await two.stop()
  }
}

