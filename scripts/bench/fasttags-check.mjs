// Differential check of the tag reader's fast path (src/Scan/fastTags.ts) against music-metadata: reads every file
// of the scan benchmark's collection (or of the folders given) both ways and lists the files where they differ.
//   node scripts/bench/fasttags-check.mjs [folder...]
// Exits 1 on any mismatch. The comparison is bundled like the program (scripts/build.mjs: music-metadata patches).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "esbuild"
import { commonOptions } from "../build.mjs"
import { log, projectRoot } from "./lib.mjs"
import { listFiles, scanCollection } from "./scan.mjs"

const sortedFiles = (root) => listFiles(root).sort()

const roots = process.argv.length > 2 ? process.argv.slice(2) : [scanCollection().root]
const out = mkdtempSync(join(tmpdir(), "avalon-fasttags-"))
try {
  const outfile = join(out, "compareFastTags.mjs")
  // The program's bundling (music-metadata patches included), as an ES module this script can import.
  await build({
    ...commonOptions,
    format: "esm",
    sourcemap: false,
    supported: {},
    define: {},
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    footer: {},
    entryPoints: [join(projectRoot, "src/Scan/compareFastTags.ts")],
    outfile
  })
  const { compareFastTags } = await import(pathToFileURL(outfile).href)
  const files = roots.flatMap(sortedFiles)
  const started = performance.now()
  const result = await compareFastTags(files)
  log(`fast path vs music-metadata: ${result.files} files in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  for (const [extension, { fast, declined }] of Object.entries(result.byExtension).sort()) {
    log(`  ${extension.padEnd(8)} ${String(fast).padStart(6)} fast path, ${String(declined).padStart(6)} left to music-metadata`)
  }
  for (const mismatch of result.mismatches.slice(0, 20)) {
    log(`MISMATCH ${mismatch.path}\n  fast:           ${JSON.stringify(mismatch.fast)}\n  music-metadata: ${JSON.stringify(mismatch.musicMetadata)}`)
  }
  log(`${result.mismatches.length} mismatches`)
  process.exitCode = result.mismatches.length === 0 ? 0 : 1
} finally {
  rmSync(out, { recursive: true, force: true })
}
