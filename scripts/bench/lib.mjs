// Shared helpers of the benchmark harness: paths, processes, HTTP, statistics, formatting.
import { spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:http"
import { createServer } from "node:net"
import { cpus } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url))
export const benchDir = fileURLToPath(new URL(".", import.meta.url))
export const cacheRoot = process.env.AVALON_BENCH_CACHE ?? "/tmp/avalon-bench"
export const resultsDir = join(projectRoot, "bench-results")

/** The environment without any AVALON_* variable of the developer's shell (like the tests). */
export const cleanEnv = (extra = {}) => {
  const env = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AVALON_") && value !== undefined) env[name] = value
  return { ...env, ...extra }
}

/** Every process the harness started and that still runs: killed (by pid) if the harness is interrupted. */
export const liveChildren = new Set()

export const track = (child) => {
  liveChildren.add(child)
  child.once("exit", () => liveChildren.delete(child))
  return child
}

export const killLiveChildren = () => {
  for (const child of liveChildren) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}

export const log = (...parts) => process.stderr.write(`[bench] ${parts.join(" ")}\n`)

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

/** Busy and total clock ticks of all CPUs so far (/proc/stat's first line; idle and iowait count as idle). */
const cpuTicks = () => {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/)
  const ticks = fields.slice(0, 8).map(Number)
  const total = ticks.reduce((sum, tick) => sum + tick, 0)
  return { busy: total - ticks[3] - ticks[4], total }
}

/**
 * Waits, before a measured round, until the machine's CPUs are nearly idle (the servers under test are idle between
 * rounds, so what is busy is other work: a database's checkpoint after the start-up part, another session's
 * job): at most `maxMs`. Returns the busy share of one core seen last, and how long it waited.
 */
export const waitForQuiet = async ({ busyCores = 0.25, windowMs = 300, maxMs = 20_000 } = {}) => {
  const started = performance.now()
  const cores = Math.max(1, cpus().length)
  for (;;) {
    const before = cpuTicks()
    await sleep(windowMs)
    const after = cpuTicks()
    const busy = ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cores
    const waitedMs = performance.now() - started - windowMs
    if (busy <= busyCores || waitedMs >= maxMs) {
      if (waitedMs >= windowMs) log(`waited ${(waitedMs / 1000).toFixed(1)} s for other work to settle (${busy.toFixed(2)} cores busy)`)
      return { busyCores: busy, waitedMs }
    }
  }
}

/**
 * A private copy of the built program (dist/ and bin/) under bench-results/, so that an `npm run build` run by
 * someone else during a long benchmark (it deletes dist/) cannot break or change the program being measured.
 * It stays inside the checkout so that `better-sqlite3`, `pg`, `music-metadata` still resolve from node_modules.
 */
export const snapshotProgram = (target = join(resultsDir, `.program-${process.pid}`)) => {
  const source = join(projectRoot, "dist", "avalon.js")
  if (!existsSync(source)) throw new Error("the program is not built: run `npm run build` first")
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true })
  // Copying while a build rewrites dist/ could mix two builds: retry until two listings agree.
  for (let attempt = 0; ; attempt++) {
    rmSync(join(target, "dist"), { recursive: true, force: true })
    cpSync(join(projectRoot, "dist"), join(target, "dist"), { recursive: true })
    if (existsSync(join(target, "dist", "avalon.js")) || attempt > 20) break
    spawnSync("sleep", ["0.5"])
  }
  cpSync(join(projectRoot, "bin"), join(target, "bin"), { recursive: true })
  cpSync(join(projectRoot, "package.json"), join(target, "package.json"))
  return { bin: join(target, "bin", "avalon.js"), dir: target, remove: () => rmSync(target, { recursive: true, force: true }) }
}

export const gitDescription = () => {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: projectRoot, encoding: "utf8" }).stdout.trim()
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "src"], { cwd: projectRoot, encoding: "utf8" }).stdout.trim()
  return { head, srcModified: dirty === "" ? 0 : dirty.split("\n").length }
}

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/** One GET (with extra request headers if given); resolves with status, headers and the whole body as sent. */
export const httpGet = (url, { timeoutMs = 120_000, headers = {} } = {}) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { agent: false, headers: { connection: "close", ...headers } }, (res) => {
      const chunks = []
      res.on("data", (chunk) => chunks.push(chunk))
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }))
      res.on("error", reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)))
    req.on("error", reject)
    req.end()
  })

/** kB figures of /proc/<pid>/status (VmHWM = peak RSS, VmRSS = current). */
export const procStatus = (pid) => {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8")
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN)
    return { VmHWM: field("VmHWM"), VmRSS: field("VmRSS") }
  } catch {
    return { VmHWM: NaN, VmRSS: NaN }
  }
}

/** CPU time (user + system) a process has used so far, in ms; NaN when it is gone. */
export const processCpuMs = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

/** Direct child pids of a process (to see whether `--workers N` really forked). */
export const childPids = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/**
 * Starts `avalon serve` on a chosen port, then polls the heartbeat from the moment of spawning until the
 * first `OKOKOK`. Resolves with the timings (ms since spawn) and the process.
 */
export const startAvalon = async ({ bin, env, args = [], nodeArgs = [], timeoutMs = 300_000 }) => {
  const port = await freePort()
  const spawnedAt = performance.now()
  const child = track(spawn(process.execPath, [...nodeArgs, bin, "serve", "--port", String(port), ...args], {
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"]
  }))
  let output = ""
  let listeningMs
  let loadLine
  const onData = (chunk) => {
    output += chunk.toString()
    if (listeningMs === undefined && /listening on http/.test(output)) listeningMs = performance.now() - spawnedAt
    if (loadLine === undefined) loadLine = /avalon \S+ started: [^\n]*/.exec(output)?.[0]
  }
  child.stdout.on("data", onData)
  child.stderr.on("data", onData)
  let exited = false
  const exit = new Promise((done) => child.once("exit", (code, signal) => { exited = true; done({ code, signal }) }))
  const base = `http://127.0.0.1:${port}/avalon`
  const deadline = spawnedAt + timeoutMs
  let okMs
  while (okMs === undefined) {
    if (exited) throw new Error(`avalon serve exited before answering OKOKOK:\n${output}`)
    if (performance.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`avalon serve did not answer OKOKOK within ${timeoutMs} ms:\n${output}`)
    }
    try {
      const answer = await httpGet(`${base}/heartbeat`, { timeoutMs })
      const text = answer.body.toString()
      if (text === "OKOKOK") okMs = performance.now() - spawnedAt
      else if (text === "NONONO") throw Object.assign(new Error(`heartbeat answered NONONO:\n${output}`), { fatal: true })
    } catch (error) {
      if (error.fatal) {
        child.kill("SIGKILL")
        throw error
      }
      await sleep(5)
    }
  }
  // The load line is logged right after the swap; give it a moment to arrive.
  for (let i = 0; i < 100 && loadLine === undefined && !exited; i++) await sleep(10)
  const memory = procStatus(child.pid)
  return {
    port,
    base,
    child,
    okMs,
    listeningMs,
    loadLine,
    memory,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (!exited) child.kill(signal)
      const timer = setTimeout(() => { if (!exited) child.kill("SIGKILL") }, 15_000)
      const result = await exit
      clearTimeout(timer)
      return result
    }
  }
}

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const mean = (values) => {
  const finite = values.filter((v) => Number.isFinite(v))
  return finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}

export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—")
export const fmtNum = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "—")
export const fmtMs = (ms) => (!Number.isFinite(ms) ? "—" : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`)
export const fmtBytes = (bytes) =>
  !Number.isFinite(bytes) ? "—" : bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`
export const fmtMB = (kB) => (Number.isFinite(kB) ? `${Math.round(kB / 1024)} MB` : "—")

/** A plain-text table: rows of strings, numbers right-aligned when the cell looks numeric. */
export const renderTable = (header, rows) => {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell ?? "")))
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? "")].length)))
  const numeric = /^[-+~≈]?[\d.,]+( ?(ms|s|MB|KB|B|×|%|k))?$/
  const line = (row) =>
    row.map((cell, i) => {
      const pad = " ".repeat(widths[i] - [...cell].length)
      return i > 0 && numeric.test(cell) ? pad + cell : cell + pad
    }).join("  ").trimEnd()
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n")
}

export const verdict = (ok) => (ok === undefined ? "" : ok ? "ok" : "MISS")
