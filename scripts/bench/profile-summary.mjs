// Summarizes V8 .cpuprofile files (from `node --cpu-prof`): self time per function and per file.
//   node scripts/bench/profile-summary.mjs <file-or-folder>... [--top 25]
import { readdirSync, readFileSync, statSync } from "node:fs"
import { SourceMap } from "node:module"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"

const sourceMaps = new Map()

/** The source map of a bundled file (`<file>.map` beside it), or undefined. */
const sourceMapOf = (url) => {
  if (!url.startsWith("file://")) return undefined
  if (!sourceMaps.has(url)) {
    let map
    try {
      map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(url) + ".map", "utf8")))
    } catch {
      map = undefined
    }
    sourceMaps.set(url, map)
  }
  return sourceMaps.get(url)
}

const shortSource = (source) => {
  const path = source.replace(/^(\.\.\/)+/, "")
  const modules = path.lastIndexOf("node_modules/")
  return modules === -1 ? path : path.slice(modules)
}

/** `name file:line` of a call frame, mapped back to the TypeScript (or package) source when a source map exists. */
const describeFrame = (callFrame) => {
  const name = callFrame.functionName || "(anonymous)"
  if (callFrame.url === "") return { fn: name, file: name }
  const map = sourceMapOf(callFrame.url)
  const entry = map?.findEntry(callFrame.lineNumber, callFrame.columnNumber)
  if (entry?.originalSource !== undefined) {
    const file = shortSource(entry.originalSource)
    return { fn: `${entry.name ?? name} ${file}:${entry.originalLine + 1}`, file }
  }
  const file = callFrame.url.startsWith("node:") || !callFrame.url.includes("/") ? callFrame.url : basename(callFrame.url)
  return { fn: `${name} ${file}:${callFrame.lineNumber + 1}:${callFrame.columnNumber + 1}`, file }
}

/** Self time (ms) per function and per source file of one profile. */
export const summarizeProfile = (file, top = 25) => {
  const profile = JSON.parse(readFileSync(file, "utf8"))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const idle = [...selfUs].filter(([id]) => byId.get(id).callFrame.functionName === "(idle)").reduce((sum, [, us]) => sum + us, 0)
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const busy = total - idle
  const functions = new Map()
  const files = new Map()
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)
    if (callFrame.functionName === "(idle)") continue
    const { fn, file: source } = describeFrame(callFrame)
    functions.set(fn, (functions.get(fn) ?? 0) + us)
    files.set(source, (files.get(source) ?? 0) + us)
  }
  // Percentages are of the busy (non-idle) time.
  const rank = (map) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((1000 * us) / busy) / 10 }))
  return { file, totalMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), functions: rank(functions), files: rank(files) }
}

export const profileFiles = (paths) =>
  paths.flatMap((path) =>
    statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(path, f)) : [path]
  )

export const formatSummary = (summary, top = 15) =>
  [
    `${summary.file} (${summary.totalMs} ms sampled, ${summary.busyMs} ms not idle; percentages of the latter)`,
    "  top functions by self time:",
    ...summary.functions.slice(0, top).map((f) => `    ${String(f.percent).padStart(5)}%  ${String(f.ms).padStart(8)} ms  ${f.name}`),
    "  by file:",
    ...summary.files.slice(0, 8).map((f) => `    ${String(f.percent).padStart(5)}%  ${String(f.ms).padStart(8)} ms  ${f.name}`)
  ].join("\n")

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const topAt = args.indexOf("--top")
  const top = topAt === -1 ? 25 : Number(args.splice(topAt, 2)[1])
  for (const file of profileFiles(args)) console.log(formatSummary(summarizeProfile(file, top), top) + "\n")
}
