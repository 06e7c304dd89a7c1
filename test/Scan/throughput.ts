// Throughput of the reading half of `avalon scan` on a temporary copy of the fixtures (220 copies: 4,840 files,
// deleted afterwards). Not a test: run it after `npm run build` with `npx vite-node test/Scan/throughput.ts [copies]`.
// The workers run dist/tagWorker.js (music-metadata bundled and patched, see scripts/build.mjs); the in-thread rows
// run music-metadata from node_modules, unpatched, so they are slower than what a scan does in-thread.
// For the whole program, `npm run bench -- --only scan`.
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { readTags } from "../../src/Scan/readTags.js"
import { makeTagReaderPool, type TagReaderPoolOptions } from "../../src/Scan/TagReaderPool.js"
import { walkCollection } from "../../src/Scan/walkCollection.js"

const fixtures = new URL("../fixtures/collection/", import.meta.url).pathname
const workerScript = new URL("../../dist/tagWorker.js", import.meta.url)
const copies = Number(process.argv[2] ?? 220)

const rate = (files: number, ms: number): string => `${files} files in ${ms.toFixed(0)} ms = ${Math.round((files * 1000) / ms)} files/s`

// CPU time is process-wide (all threads): on a shared machine it is steadier than the wall clock.
const time = async (label: string, files: number, run: () => Promise<unknown>): Promise<void> => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  await run()
  const used = process.cpuUsage(cpu)
  const cpuPerFile = (used.user + used.system) / files
  console.log(`${label.padEnd(38)} ${rate(files, performance.now() - started)}, CPU ${cpuPerFile.toFixed(0)} µs/file`)
}

const poolRun = async (options: TagReaderPoolOptions, files: ReadonlyArray<{ path: string; size: number }>): Promise<void> => {
  const pool = makeTagReaderPool(options)
  let results = 0
  await pool.read(files, () => {
    results++
  })
  await pool.close()
  if (results !== files.length || pool.parsedCount !== files.length) throw new Error("pool lost files")
}

// What `avalon scan --full` does: workers started first, files handed over as the walk finds them.
const walkFeedingPool = async (root: string): Promise<void> => {
  const pool = makeTagReaderPool({ workerScript, workers: 2 })
  pool.start()
  const reads: Array<Promise<void>> = []
  let found: Array<{ path: string; size: number }> = []
  const walk = await walkCollection(root, {
    onFile: (file) => {
      found.push(file)
      if (found.length === 64) {
        reads.push(pool.read(found, () => undefined))
        found = []
      }
    }
  })
  reads.push(pool.read(found, () => undefined))
  await Promise.all(reads)
  await pool.close()
  if (pool.parsedCount !== walk.files.length) throw new Error("pool lost files")
}

const source = (await walkCollection(fixtures)).files.filter((file) => !file.path.includes("/links/"))
const root = await mkdtemp(join(tmpdir(), "avalon-throughput-"))
try {
  for (let copy = 0; copy < copies; copy++) {
    for (const file of source) {
      const target = join(root, `artist${copy % 25}`, `album${copy}`, relative(fixtures, file.path))
      await mkdir(dirname(target), { recursive: true })
      await copyFile(file.path, target)
    }
  }
  const files = (await walkCollection(root)).files
  const measurements: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
    ["walk + stat (warm cache)", () => walkCollection(root)],
    ["readTags, one at a time", async () => {
      for (const file of files) await readTags(file.path, file.size)
    }],
    ["pool in-thread (16 in flight)", () => poolRun({ workerScript: null, workers: 2 }, files)],
    ["pool, 2 workers (with start-up)", () => poolRun({ workerScript, workers: 2 }, files)],
    ["walk, then pool 2 workers", async () => poolRun({ workerScript, workers: 2 }, (await walkCollection(root)).files)],
    ["walk feeding 2 workers (as scan --full)", () => walkFeedingPool(root)]
  ]
  console.log(`collection: ${files.length} files under ${root}`)
  for (let round = 1; round <= 3; round++) {
    console.log(`round ${round}, load average ${loadavg().map((load) => load.toFixed(1)).join(" ")}`)
    for (const [label, run] of measurements) await time(label, files.length, run)
  }
} finally {
  await rm(root, { recursive: true, force: true })
}
