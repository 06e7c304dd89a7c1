// Throughput of the reading half of `avalon scan`, on a temporary copy of the fixtures (~5,000 files).
// Run after `npm run build`: npx vite-node test/Scan/throughput.ts [copies]
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { readTags } from "../../src/Scan/readTags.js"
import { makeTagReaderPool, type TagReaderPoolOptions } from "../../src/Scan/TagReaderPool.js"
import { walkCollection } from "../../src/Scan/walkCollection.js"

const fixtures = new URL("../fixtures/collection/", import.meta.url).pathname
const workerScript = new URL("../../dist/tagWorker.js", import.meta.url)
const copies = Number(process.argv[2] ?? 220)

const rate = (files: number, ms: number): string => `${files} files in ${ms.toFixed(0)} ms = ${Math.round((files * 1000) / ms)} files/s`

const time = async (label: string, files: number, run: () => Promise<unknown>): Promise<void> => {
  const started = performance.now()
  await run()
  console.log(`${label.padEnd(34)} ${rate(files, performance.now() - started)}`)
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
  const walk = await walkCollection(root)
  const files = walk.files
  console.log(`collection: ${files.length} files under ${root}`)
  await time("walk + stat (warm cache)", files.length, () => walkCollection(root))
  await time("readTags, one at a time", files.length, async () => {
    for (const file of files) await readTags(file.path, file.size)
  })
  await time("pool in-thread (16 in flight)", files.length, () => poolRun({ workerScript: null, workers: 2 }, files))
  await time("pool, 2 workers × 8 (incl. start-up)", files.length, () => poolRun({ workerScript, workers: 2 }, files))
  await time("pool, 2 workers × 16 (incl. start-up)", files.length, () => poolRun({ workerScript, workers: 2, inFlightPerWorker: 16 }, files))
  await time("pool, 3 workers × 8 (incl. start-up)", files.length, () => poolRun({ workerScript, workers: 3 }, files))
  await time("walk + pool 2 workers (whole read)", files.length, async () => {
    const fresh = await walkCollection(root)
    await poolRun({ workerScript, workers: 2 }, fresh.files)
  })
} finally {
  await rm(root, { recursive: true, force: true })
}
