// `npm run bench [-- options]`: the benchmark harness of issue 5. See scripts/bench/README.md.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { generateCollection, postgresCollection, sqliteCollection } from "./generate.mjs"
import {
  cacheRoot, killLiveChildren, fmtBytes, fmtInt, fmtMB, fmtMs, fmtNum, gitDescription, log, projectRoot, renderTable, resultsDir, snapshotProgram, startAvalon, verdict
} from "./lib.mjs"
import { formatSummary, profileFiles, summarizeProfile } from "./profile-summary.mjs"
import { benchInstructions } from "./instructions.mjs"
import { benchScan } from "./scan.mjs"
import { benchHttp, benchStartup, benchWorkers, httpEndpoints } from "./serve.mjs"

const usage = `usage: npm run bench -- [options]
  --songs N             synthetic collection size for start-up/serve/workers (default 10000; 100000, 1000000)
  --only LIST           comma-separated parts: startup,serve,workers,scan (default: all), and
                        instructions (callgrind's instructions per request, Avalon beside the floor; needs valgrind,
                        takes minutes, not in the default)
  --db LIST             databases for the start-up bench: sqlite,pg (default sqlite,pg; pg skipped when unreachable)
  --pg-url URL          PostgreSQL server to create the throw-away database on
                        (default $AVALON_BENCH_PG_URL or postgresql://postgres@127.0.0.1:5432/postgres)
  --duration S          seconds per wrk run (default 3)
  --rounds N            alternating Avalon/floor rounds per endpoint (default 4)
  --connections N       wrk connections for the limited queries (default 32)
  --dump-connections N  wrk connections for the full songs dump (default 4)
  --warmup S            warm-up seconds per server and endpoint (default 1)
  --endpoints LIST      only the HTTP endpoints whose key contains one of these comma-separated words
                        (keys: heartbeat, songs?artist, songs?query, albums?query, artists?order, songs?genre, genres, dump,
                        304, br)
  --startup-repeats N   server starts per database (default 3)
  --scan-repeats N      full scans and unchanged re-scans (default 3)
  --profile             run the program under node --cpu-prof and print what dominates (figures then include profiling overhead)
  --fresh               regenerate the cached SQLite collection
  --out FILE            where to write the JSON (default bench-results/<timestamp>.json)
  --help`

const { values: options } = parseArgs({
  options: {
    songs: { type: "string", default: "10000" },
    only: { type: "string", default: "startup,serve,workers,scan" },
    db: { type: "string", default: "sqlite,pg" },
    "pg-url": { type: "string", default: process.env.AVALON_BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    duration: { type: "string", default: "3" },
    // One server answering one URL varies up to 2× between consecutive 3 s runs here (other tenants of the host;
    // no steal time shows): more, shorter alternations give each side its quiet moments.
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "32" },
    "dump-connections": { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    endpoints: { type: "string" },
    "startup-repeats": { type: "string", default: "3" },
    "scan-repeats": { type: "string", default: "3" },
    profile: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
    out: { type: "string" },
    help: { type: "boolean", default: false }
  }
})
if (options.help) {
  console.log(usage)
  process.exit(0)
}

const songs = Number(options.songs.replace(/[_,]/g, "").replace(/k$/i, "000").replace(/m$/i, "000000"))
const parts = new Set(options.only.split(",").map((p) => p.trim()).filter(Boolean))
const fail = (message) => {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}
for (const part of parts) if (!["startup", "serve", "workers", "scan", "instructions"].includes(part)) fail(`unknown part ${part}`)
const databases = new Set(options.db.split(",").map((d) => d.trim()))
const seconds = Number(options.duration)
const rounds = Number(options.rounds)
const connections = Number(options.connections)
const dumpConnections = Number(options["dump-connections"])
const warmupSeconds = Number(options.warmup)
if (!Number.isInteger(songs) || songs < 1) fail("--songs must be a positive integer")

if ((parts.has("serve") || parts.has("workers") || parts.has("instructions")) && spawnSync("wrk", ["--version"]).error) {
  console.error("wrk is required for the serve, workers and instructions parts: apt-get install wrk")
  process.exit(2)
}
if (parts.has("scan") && spawnSync("ffmpeg", ["-version"]).error) {
  console.error("ffmpeg is required for the scan part: apt-get install ffmpeg")
  process.exit(2)
}

const stamp = new Date().toISOString().replace(/[:.]/g, "-")
const profileDir = options.profile ? join(resultsDir, `${stamp}-profiles`) : undefined
const nodeArgsFor = (name) => (profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, name)}`])

// With --profile the copy of the program stays beside the profiles: its source maps name the functions.
const program = snapshotProgram(profileDir === undefined ? undefined : join(profileDir, "program"))
const cleanups = profileDir === undefined ? [() => program.remove()] : []
const cleanUp = async () => {
  while (cleanups.length > 0) await Promise.resolve(cleanups.pop()()).catch((error) => log(`clean-up failed: ${error.message}`))
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`)
    killLiveChildren()
    void cleanUp().then(() => process.exit(130))
  })
}

const results = {
  harness: 1,
  startedAt: new Date().toISOString(),
  loadAverageAtStart: loadavg(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 1024 / 1024), node: process.version, platform: process.platform },
  git: gitDescription(),
  options: { songs, parts: [...parts], endpoints: options.endpoints, databases: [...databases], seconds, rounds, connections, dumpConnections, warmupSeconds, profile: options.profile },
  targets: {
    startupSecondsAt100k: 1.5, startupSecondsAt1M: 15, rssMBAt100k: 150, rssMBAt1M: 1200, floorRatio: 0.7, p99MsLimitedAt100k: 5,
    dumpMsAt100k: 150, workersScaling: 1.6, scanFilesPerSecond: 3400, unchangedRescanSeconds: 0.3,
    original100k: { startupSeconds: 34, rssMB: 750, heartbeatRps: 4800, queriesRps: [700, 2500], dumpSeconds: 1.5 }
  }
}

const selectEndpoints = (all) => {
  if (options.endpoints === undefined) return all
  const words = options.endpoints.split(",").map((w) => w.trim()).filter(Boolean)
  const chosen = all.filter((e) => words.some((w) => e.key.includes(w)))
  if (chosen.length === 0) throw new Error(`--endpoints ${options.endpoints} matches none of: ${all.map((e) => e.key).join(", ")}`)
  return chosen
}

const main = async () => {
  // ---------------------------------------------------------------- the synthetic collection
  let collection
  let picks
  let sqlite
  const needsSynthetic = parts.has("startup") || parts.has("serve") || parts.has("workers") || parts.has("instructions")
  if (needsSynthetic) {
    const picksFile = join(cacheRoot, "db", `picks-${songs}.json`)
    sqlite = await sqliteCollection({ songs, bin: program.bin, fresh: options.fresh, makeCollection: () => (collection ??= generateCollection(songs)) })
    if (!sqlite.cached || !existsSync(picksFile)) {
      collection ??= generateCollection(songs)
      mkdirSync(join(cacheRoot, "db"), { recursive: true })
      writeFileSync(picksFile, JSON.stringify({ counts: collection.counts, picks: collection.picks }))
    }
    const stored = JSON.parse(readFileSync(picksFile, "utf8"))
    picks = stored.picks
    results.collection = { ...stored.counts, picks, sqliteFile: sqlite.file, sqliteCached: sqlite.cached, sqliteGeneratedMs: Math.round(sqlite.generatedMs) }
    log(`collection: ${JSON.stringify(stored.counts)} in ${sqlite.file}${sqlite.cached ? " (cached)" : ` (generated in ${(sqlite.generatedMs / 1000).toFixed(1)} s)`}`)
  }

  // ---------------------------------------------------------------- start-up
  if (parts.has("startup")) {
    const dbs = []
    if (databases.has("sqlite")) {
      // Also as the example systemd unit runs it (README "Running in production": glibc's trim threshold).
      dbs.push({ kind: "sqlite", url: sqlite.url }, { kind: "sqlite, glibc trim", url: sqlite.url, env: { MALLOC_TRIM_THRESHOLD_: "131072" } })
    }
    if (databases.has("pg")) {
      try {
        const pg = await postgresCollection({ songs, bin: program.bin, adminUrl: options["pg-url"], collection: (collection ??= generateCollection(songs)) })
        cleanups.push(pg.drop)
        results.collection.pgGeneratedMs = Math.round(pg.generatedMs)
        log(`PostgreSQL database ${pg.name} generated in ${(pg.generatedMs / 1000).toFixed(1)} s`)
        dbs.push({ kind: "pg", url: pg.url, drop: pg.drop })
      } catch (error) {
        log(`PostgreSQL skipped: ${error.message}`)
        results.postgresSkipped = error.message
      }
    }
    collection = undefined // let the bench process stay small while servers run
    results.startup = await benchStartup({ bin: program.bin, databases: dbs, repeats: Number(options["startup-repeats"]), nodeArgs: nodeArgsFor("startup") })
    for (const db of dbs) {
      if (db.drop !== undefined) {
        await db.drop()
        cleanups.splice(cleanups.indexOf(db.drop), 1)
      }
    }
  }
  collection = undefined

  // ---------------------------------------------------------------- HTTP
  if (parts.has("serve")) {
    const server = await startAvalon({ bin: program.bin, env: { AVALON_DATABASE_URL: sqlite.url }, nodeArgs: nodeArgsFor("serve") })
    const stopServer = () => server.stop()
    cleanups.push(stopServer)
    try {
      const http = await benchHttp({
        server, endpoints: selectEndpoints(httpEndpoints(picks)), seconds, rounds, connections, dumpConnections, warmupSeconds,
        workDir: join(cacheRoot, `bodies-${process.pid}`)
      })
      results.serve = { serverStartup: { okMs: server.okMs, peakRssAfterLoadKB: server.memory.VmHWM }, ...http }
    } finally {
      const peak = (await import("./lib.mjs")).procStatus(server.child.pid)
      if (results.serve) results.serve.peakRssAfterBenchKB = peak.VmHWM
      await server.stop()
      cleanups.splice(cleanups.indexOf(stopServer), 1)
    }
  }

  // ---------------------------------------------------------------- instructions
  if (parts.has("instructions")) {
    // Neither the full dumps (their first brotli request starts a 31 MB compression, which under callgrind would
    // overlap every later count) nor the other pre-compressed answers.
    const endpoints = selectEndpoints(httpEndpoints(picks)).filter((e) => !e.dump && e.headers?.["accept-encoding"] === undefined)
    results.instructions = await benchInstructions({ bin: program.bin, url: sqlite.url, endpoints, workDir: join(cacheRoot, `instructions-${process.pid}`) })
  }

  // ---------------------------------------------------------------- --workers
  if (parts.has("workers")) {
    const q = encodeURIComponent
    results.workers = await benchWorkers({
      bin: program.bin, url: sqlite.url,
      // Answers of 6 B, 1.4 KB and 16 KB: what wrk needs per answer grows with its size.
      paths: ["/avalon/heartbeat", `/avalon/albums?query=${q(picks.albumPrefix)}&order=name&limit=20`, `/avalon/songs?query=${q(picks.songPrefix)}&limit=50`],
      seconds, rounds, connections, warmupSeconds, nodeArgs: nodeArgsFor("workers")
    })
  }

  // ---------------------------------------------------------------- scan
  if (parts.has("scan")) {
    results.scan = await benchScan({ bin: program.bin, repeats: Number(options["scan-repeats"]), nodeArgs: nodeArgsFor("scan") })
  }

  // ---------------------------------------------------------------- profiles
  if (profileDir !== undefined && existsSync(profileDir)) {
    results.profiles = {}
    for (const name of ["startup", "serve", "workers", "scan"]) {
      const dir = join(profileDir, name)
      if (!existsSync(dir)) continue
      results.profiles[name] = profileFiles([dir]).map((file) => summarizeProfile(file, 30))
    }
  }
  results.finishedAt = new Date().toISOString()
  results.loadAverageAtEnd = loadavg()
}

// ---------------------------------------------------------------- the table

const report = () => {
  const out = []
  const r = results
  out.push(`Avalon benchmark ${r.startedAt}  git ${r.git.head}${r.git.srcModified ? ` (+${r.git.srcModified} modified files in src/)` : ""}  node ${r.machine.node}  ${r.machine.cpus} cores`)
  const loads = [r.loadAverageAtStart?.[0], r.loadAverageAtEnd?.[0]].filter((x) => x !== undefined)
  out.push(`Load average (1 min) at start/end: ${loads.map((x) => x.toFixed(2)).join(" / ")}` +
    (Math.max(...loads) > r.machine.cpus * 0.75 ? "  — WARNING: the machine was busy with other work, figures are noisy" : ""))
  if (r.collection) {
    const c = r.collection
    out.push(`Synthetic collection: ${fmtInt(c.songs)} songs, ${fmtInt(c.albums)} albums, ${fmtInt(c.artists)} artists, ${fmtInt(c.genres)} genres` +
      ` (SQLite ${c.sqliteCached ? "cached" : `generated in ${fmtMs(c.sqliteGeneratedMs)}`}${c.pgGeneratedMs ? `, PostgreSQL generated in ${fmtMs(c.pgGeneratedMs)}` : ""})`)
  }
  const big = songs > 100_000
  const startupTarget = big ? 15_000 : 1_500
  const rssTarget = big ? 1200 : 150
  const scale = big ? "1M" : "100k"
  if (r.startup) {
    out.push("", `Start-up: process start → first OKOKOK, peak RSS (VmHWM) after load; median of ${options["startup-repeats"]}; targets are those at ${scale} songs`)
    const rows = r.startup.databases.map((db) => [
      db.kind, fmtInt(songs), fmtMs(db.okMs), fmtMs(db.listeningMs), Number.isFinite(db.loadSeconds) ? `${db.loadSeconds.toFixed(2)} s` : "—", fmtMB(db.peakRssKB),
      `${verdict(db.okMs <= startupTarget)} (≤ ${startupTarget / 1000} s)`, `${verdict(db.peakRssKB / 1024 <= rssTarget)} (≤ ${rssTarget} MB)`
    ])
    rows.push(["bare node:http", "", fmtMs(r.startup.bareNode.okMs), "", "", fmtMB(r.startup.bareNode.peakRssKB), "", ""])
    out.push(renderTable(["database", "songs", "→ OKOKOK", "→ listening", "load (logged)", "peak RSS", "start-up", "RSS"], rows))
    if (r.postgresSkipped) out.push(`(PostgreSQL skipped: ${r.postgresSkipped})`)
  }
  if (r.serve) {
    out.push("", `HTTP: wrk -t1 -c${connections} -d${seconds}s (full dump -c${dumpConnections}), ${rounds} alternating rounds each after ${warmupSeconds} s warm-up, ` +
      `req/s best of the rounds, latencies their median; floor = bare node:http answering the identical bytes and headers from memory`)
    const absolute = (e) => (e.key === "heartbeat" ? 48_000 : e.dump ? undefined : 7_000)
    const rows = r.serve.endpoints.map((e) => [
      e.key, e.items === undefined ? "" : `${fmtInt(e.items)}${e.matches === undefined ? "" : ` of ${fmtInt(e.matches)}`}`, fmtBytes(e.bytes), fmtInt(e.avalon.rps), fmtNum(e.avalon.p50Ms), fmtNum(e.avalon.p99Ms),
      fmtInt(e.floor.rps), fmtNum(e.floor.p99Ms), `${fmtNum(e.ratio)}×`,
      fmtNum(e.avalon.cpuUsPerRequest), fmtNum(e.floor.cpuUsPerRequest), `${fmtNum(e.cpuRatio)}×`,
      verdict(e.ratio >= 0.7), e.limited ? verdict(e.avalon.p99Ms <= 5) : "", absolute(e) === undefined ? "" : verdict(e.avalon.rps >= absolute(e)),
      e.avalon.errors + e.floor.errors > 0 ? `${e.avalon.errors}/${e.floor.errors}` : ""
    ])
    out.push(renderTable(["endpoint", "items", "bytes", "req/s", "p50 ms", "p99 ms", "floor req/s", "floor p99", "÷ floor", "CPU µs/req", "floor µs", "CPU ÷", "≥0.7", "p99≤5", "≥10×orig", "errors a/f"], rows))
    for (const dump of r.serve.endpoints.filter((e) => e.dump)) {
      out.push(`${dump.key}, one client: ${fmtMs(dump.singleClientMs)} per dump (floor ${fmtMs(dump.singleClientFloorMs)}), ${fmtBytes(dump.bytes)}; ` +
        `target ≤ 150 ms at 100k: ${songs === 100_000 ? verdict(dump.singleClientMs <= 150) : "n/a at this size"}`)
    }
    out.push(`(≥10×orig: heartbeat ≥ 48,000 req/s, queries ≥ 7,000 req/s — ten times the original's 4,800 and 700–2,500 at 100k; ` +
      `p99 target applies at 100k.) Server peak RSS: ${fmtMB(r.serve.serverStartup.peakRssAfterLoadKB)} after load, ${fmtMB(r.serve.peakRssAfterBenchKB)} after the benchmark.`)
    const p = r.collection.picks
    out.push(`Picks: artist "${p.artist}" (${p.artistSongs} songs), genre "${p.genre}" (${p.genreSongs} songs), song prefix "${p.songPrefix}", album prefix "${p.albumPrefix}".`)
  }
  if (r.instructions) {
    out.push("", `Instructions per request on each server's main thread (valgrind callgrind, ${r.instructions.warmupSeconds} s warm-up then ${r.instructions.seconds} s counted, wrk -c4; ` +
      "independent of the machine's load; cache misses are not in it)")
    out.push(renderTable(["endpoint", "avalon", "floor", "floor ÷ avalon", "≥0.7", "net of idle: avalon", "floor", "floor ÷ avalon", "≥0.7"], r.instructions.endpoints.map((e) => [
      e.key, fmtInt(e.avalon.perRequest), fmtInt(e.floor.perRequest), `${fmtNum(e.ratio)}×`, verdict(e.ratio >= 0.7),
      fmtInt(e.avalon.netPerRequest), fmtInt(e.floor.netPerRequest), `${fmtNum(e.netRatio)}×`, verdict(e.netRatio >= 0.7)
    ])))
    out.push(`(Idle, each server's main thread runs ${fmtInt(r.instructions.idlePerSecond.avalon)} (Avalon) and ${fmtInt(r.instructions.idlePerSecond.floor)} (floor) instructions a second: ` +
      "timers and Avalon's reload check. \"Net of idle\" takes that share of the window out of each count, which otherwise grows as fewer requests fit in it on a slower host.)")
  }
  if (r.workers) {
    out.push("", `--workers: one server with --workers 1 beside one with --workers 2 (wrk -t1 -c${connections}, best of ${rounds} alternating rounds); processes seen: ` +
      `${r.workers.processes.workers1} and ${r.workers.processes.workers2}`)
    const depth = r.workers.endpoints[0]?.pipelined?.depth
    const pair = (one, two) => `${fmtNum(one)} / ${fmtNum(two)}`
    // What two workers can gain at most when wrk takes its CPU time from the same two cores.
    const cap = (run) => (2 * run.workers2.cpuUsPerRequest) / (run.workers2.cpuUsPerRequest + run.workers2.wrkCpuUsPerRequest)
    const row = (path, how, run) => [
      path.replace("/avalon/", ""), how, fmtInt(run.workers1.rps), fmtInt(run.workers2.rps), `${fmtNum(run.scaling)}×`, verdict(run.scaling >= 1.6),
      pair(run.workers1.cpuUsPerRequest, run.workers2.cpuUsPerRequest), pair(run.workers1.wrkCpuUsPerRequest, run.workers2.wrkCpuUsPerRequest),
      `${fmtNum(cap(run))}×`
    ]
    out.push(renderTable(
      ["endpoint", "wrk", "1 worker req/s", "2 workers req/s", "scaling", "≥1.6×", "server CPU µs/req 1 / 2", "wrk CPU µs/req 1 / 2", "at most"],
      r.workers.endpoints.flatMap((e) => [row(e.path, "one at a time", e), row(e.path, `pipelined ×${depth}, nice 19`, e.pipelined)])
    ))
    out.push("(wrk shares the two cores: the servers can use what it leaves, so two workers gain at most 2 × server ÷ (server + wrk) CPU per request " +
      "(\"at most\", from the 2-worker rounds). Pipelined and at the lowest priority, wrk runs when a core is free and reads several answers at a time, " +
      "so it needs far less per request. CPU per request: the server's processes (primary and workers) and wrk, median of the rounds; " +
      "equal for one and two workers means a request costs no more when two serve.)")
    if (r.workers.processes.workers2 < 2) out.push("(--workers 2 started no extra process: the setting is not implemented)")
  }
  if (r.scan) {
    const s = r.scan
    out.push("", `Scan: ${fmtInt(s.collection.files)} files (${fmtInt(s.collection.songs)} songs: ${Object.entries(s.collection.byFormat).map(([k, v]) => `${v} ${k}`).join(", ")}; ` +
      `${s.collection.notAudio} covers/texts/playlists), ${fmtBytes(s.collection.bytes)}, page cache warm; median of ${options["scan-repeats"]}`)
    const cpu = (ms) => (Number.isNaN(ms) ? "" : fmtMs(ms))
    out.push(renderTable(["what", "wall", "files/s (wall)", "reported by scan", "files/s (reported)", "CPU", "target"], [
      ["read every byte (walk + readFileSync)", fmtMs(s.baseline.ms), fmtInt(s.baseline.filesPerSecond), "", "", "", ""],
      ["avalon scan --full (fresh SQLite)", fmtMs(s.full.wallMs), fmtInt(s.full.filesPerSecondWall), fmtMs(s.full.scanMs), fmtInt(s.full.filesPerSecondScan), cpu(s.full.cpuMs),
        `${verdict(s.full.filesPerSecondWall >= 3400)} (≥ 3,400 files/s)`],
      ["avalon scan, unchanged", fmtMs(s.unchanged.wallMs), "", fmtMs(s.unchanged.scanMs), "", cpu(s.unchanged.cpuMs),
        `${verdict(s.unchanged.wallMs <= 300)} wall, ${verdict(s.unchanged.scanMs <= 300)} reported (≤ 0.3 s)`],
      ["avalon scan --full, same database (+ change log)", fmtMs(s.fullRescan.wallMs), "", fmtMs(s.fullRescan.scanMs), "", cpu(s.fullRescan.cpuMs),
        `CPU ${fmtNum(s.fullRescan.cpuMs / s.full.cpuMs)}× the fresh full scan's`]
    ]))
    out.push(`Full scan wrote ${s.full.songsWritten} songs, skipped: ${s.full.skipped}, ${s.full.warnings} warnings; unchanged re-scan read ${s.unchanged.filesRead} files` +
      `${s.unchanged.nothingWritten ? " and wrote nothing" : " and REWROTE the collection"}.`)
  }
  if (r.profiles) {
    out.push("", `CPU profiles (${profileDir}):`)
    for (const [name, summaries] of Object.entries(r.profiles)) {
      for (const summary of summaries) out.push(`[${name}] ${formatSummary(summary, 12)}`)
    }
  }
  return out.join("\n")
}

try {
  await main()
} catch (error) {
  results.error = error.stack ?? String(error)
  log(`FAILED: ${error.stack ?? error}`)
  process.exitCode = 1
} finally {
  await cleanUp()
}
mkdirSync(resultsDir, { recursive: true })
const outFile = options.out ?? join(resultsDir, `${stamp}.json`)
writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n")
try {
  console.log(report())
} catch (error) {
  log(`cannot print the table: ${error.stack}`)
}
console.log(`\nAll figures: ${outFile.startsWith(projectRoot) ? outFile.slice(projectRoot.length) : outFile}`)
