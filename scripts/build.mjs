// Bundles the CLI into one ESM file so start-up avoids resolving hundreds of modules.
import { build } from "esbuild"
import { existsSync } from "node:fs"

// The tag-reading worker thread: TagReaderPool (bundled into avalon.js) loads it as ./tagWorker.js next to the bundle.
if (existsSync(new URL("../src/Scan/tagWorker.ts", import.meta.url))) {
  await build({
    entryPoints: [new URL("../src/Scan/tagWorker.ts", import.meta.url).pathname],
    outfile: new URL("../dist/tagWorker.js", import.meta.url).pathname,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    external: ["music-metadata"]
  })
}

if (!existsSync(new URL("../src/bin.ts", import.meta.url))) process.exit(0)

await build({
  entryPoints: [new URL("../src/bin.ts", import.meta.url).pathname],
  outfile: new URL("../dist/avalon.js", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  loader: { ".toml": "text" },
  minify: true,
  keepNames: true,
  external: ["better-sqlite3", "pg-native", "@sentry/node", "@effect/opentelemetry", "@opentelemetry/*", "hot-shots", "music-metadata"],
  banner: { js: "import { createRequire as __avalonCreateRequire } from 'node:module'; const require = __avalonCreateRequire(import.meta.url);" }
})
