// Bundles the program into a few ESM files: start-up avoids resolving hundreds of modules, and each command's
// implementation (database drivers, tag reader) is a chunk loaded only when that command runs.
import { build } from "esbuild"
import { rmSync } from "node:fs"

const dist = new URL("../dist/", import.meta.url).pathname
rmSync(dist, { recursive: true, force: true })

await build({
  entryPoints: {
    avalon: new URL("../src/bin.ts", import.meta.url).pathname,
    // TagReaderPool loads it as ./tagWorker.js next to the chunk that holds the pool (all chunks share dist/).
    tagWorker: new URL("../src/Scan/tagWorker.ts", import.meta.url).pathname
  },
  outdir: dist,
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  minify: true,
  keepNames: true,
  logLevel: "warning",
  loader: { ".toml": "text" },
  external: ["better-sqlite3", "pg-native", "@sentry/node", "@effect/opentelemetry", "@opentelemetry/*", "hot-shots", "music-metadata"],
  banner: { js: "import { createRequire as __avalonCreateRequire } from 'node:module'; const require = __avalonCreateRequire(import.meta.url);" }
})
