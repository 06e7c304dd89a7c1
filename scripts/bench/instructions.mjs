// The "instructions" part: instructions per request on each server's main thread, counted by valgrind's
// callgrind, Avalon's beside the floor's for the identical answers. Unlike req/s and CPU time, the count hardly
// depends on what else the machine does, so the two can be compared on a noisy shared machine. It counts work,
// not time: cache misses, which a larger working set makes more frequent, are not in it. Both servers run under callgrind (~50× slower), so it takes a few minutes.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cleanEnv, freePort, httpGet, log, sleep, track } from "./lib.mjs"
import { replayedHeaders, runWrk, startFloor } from "./serve.mjs"

// V8's memory reducer collects when the allocation rate looks low, by the clock: ~50× slower under callgrind, a
// busy server looks idle to it, and its full collections of the 100k catalog would be counted per request.
const callgrind = (outFile) => ["--tool=callgrind", "--separate-threads=yes", "--dump-instr=no", `--callgrind-out-file=${outFile}`, process.execPath, "--no-memory-reducer"]

/**
 * Zeroes the counts, runs wrk, dumps: the main thread's instructions over that run, per request. `idle` counts a
 * window without requests the same way: what a server does by the clock (timers, its reload check) is otherwise
 * spread over the requests of the window, more per request the slower the host.
 */
const counter = (pid, outFile) => {
  let dumps = 0
  const counted = async (during) => {
    spawnSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" })
    const result = await during()
    spawnSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" })
    const file = `${outFile}.${++dumps}-01`
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100)
    return { result, instructions: Number(/^summary: (\d+)$/m.exec(readFileSync(file, "utf8"))?.[1]) }
  }
  return {
    requests: async (url, headers, seconds) => {
      const { result: run, instructions } = await counted(() => runWrk({ url, connections: 4, seconds, headers, timeoutSeconds: 60 }))
      const requests = Math.max(1, run.requests)
      return { requests: run.requests, seconds: run.seconds, instructions, perRequest: instructions / requests }
    },
    idle: async (seconds) => {
      const started = performance.now()
      const { instructions } = await counted(() => sleep(seconds * 1000))
      return instructions / ((performance.now() - started) / 1000)
    }
  }
}

/** Instructions per request without the idle server's share of the window (see `counter`). */
const netOfIdle = (count, idlePerSecond) => ({ ...count, netPerRequest: Math.max(0, count.instructions - idlePerSecond * count.seconds) / Math.max(1, count.requests) })

export const benchInstructions = async ({ bin, url, endpoints, workDir, seconds = 10, warmupSeconds = 10 }) => {
  if (spawnSync("valgrind", ["--version"]).error) throw new Error("the instructions part needs valgrind: apt-get install valgrind")
  rmSync(workDir, { recursive: true, force: true })
  mkdirSync(workDir, { recursive: true })
  const port = await freePort()
  const avalonOut = join(workDir, "avalon.cg")
  const avalon = track(spawn("valgrind", [...callgrind(avalonOut), bin, "serve", "--port", String(port)], {
    env: cleanEnv({ AVALON_DATABASE_URL: url }),
    stdio: ["ignore", "ignore", "ignore"]
  }))
  const base = `http://127.0.0.1:${port}`
  try {
    for (let waited = 0; ; waited += 1) {
      if (waited > 900) throw new Error("avalon serve under callgrind did not answer OKOKOK within 15 minutes")
      const answer = await httpGet(`${base}/avalon/heartbeat`, { timeoutMs: 10_000 }).catch(() => undefined)
      if (answer?.body.toString() === "OKOKOK") break
      await sleep(1000)
    }
    log(`instructions: avalon serve answers under callgrind`)
    const manifest = []
    const requestHeaders = []
    for (const [index, endpoint] of endpoints.entries()) {
      const headers = { ...endpoint.headers }
      if (endpoint.conditional) headers["if-none-match"] = (await httpGet(base + endpoint.path, { headers })).headers.etag
      const answer = await httpGet(base + endpoint.path, { headers })
      const file = join(workDir, `body-${index}`)
      writeFileSync(file, answer.body)
      manifest.push({ url: endpoint.path, acceptEncoding: headers["accept-encoding"] ?? "", ifNoneMatch: headers["if-none-match"] ?? "", status: answer.status, headers: replayedHeaders(answer.headers), file })
      requestHeaders.push(headers)
    }
    const manifestFile = join(workDir, "manifest.json")
    writeFileSync(manifestFile, JSON.stringify(manifest))
    const floorOut = join(workDir, "floor.cg")
    const floor = await startFloor(manifestFile, (args) => spawn("valgrind", [...callgrind(floorOut), ...args], { stdio: ["ignore", "pipe", "ignore"] }))
    try {
      const countAvalon = counter(avalon.pid, avalonOut)
      const countFloor = counter(floor.pid, floorOut)
      const results = []
      for (const [index, endpoint] of endpoints.entries()) {
        // Warm-up first: the JIT tiers up by invocation counts, so the counted run meets the code requests settle on
        // (longer for the first endpoint, which also warms up all the code every request shares).
        const warmup = warmupSeconds * (index === 0 ? 3 : 1)
        const headers = requestHeaders[index]
        await Promise.all([
          runWrk({ url: base + endpoint.path, connections: 4, seconds: warmup, headers, timeoutSeconds: 60 }),
          runWrk({ url: floor.base + endpoint.path, connections: 4, seconds: warmup, headers, timeoutSeconds: 60 })
        ])
        const [mine, theirs] = await Promise.all([
          countAvalon.requests(base + endpoint.path, headers, seconds),
          countFloor.requests(floor.base + endpoint.path, headers, seconds)
        ])
        const result = { key: endpoint.key, path: endpoint.path, avalon: mine, floor: theirs, ratio: theirs.perRequest / mine.perRequest }
        log(`instructions ${endpoint.key}: avalon ${Math.round(mine.perRequest)} per request (${mine.requests} requests), floor ${Math.round(theirs.perRequest)}, floor ÷ avalon ${result.ratio.toFixed(2)}`)
        results.push(result)
      }
      const [avalonIdle, floorIdle] = await Promise.all([countAvalon.idle(seconds), countFloor.idle(seconds)])
      log(`instructions while idle: avalon ${Math.round(avalonIdle)} per second, floor ${Math.round(floorIdle)}`)
      for (const result of results) {
        result.avalon = netOfIdle(result.avalon, avalonIdle)
        result.floor = netOfIdle(result.floor, floorIdle)
        result.netRatio = result.floor.netPerRequest / result.avalon.netPerRequest
      }
      return { seconds, warmupSeconds, idlePerSecond: { avalon: avalonIdle, floor: floorIdle }, endpoints: results }
    } finally {
      await floor.stop()
    }
  } finally {
    avalon.kill("SIGTERM")
    await new Promise((done) => avalon.once("exit", done))
    rmSync(workDir, { recursive: true, force: true })
  }
}
