// Bundles the CLI into one ESM file so start-up avoids resolving hundreds of modules.
import { build } from "esbuild"
import { existsSync } from "node:fs"

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
  external: ["better-sqlite3", "pg-native", "@sentry/node", "@effect/opentelemetry", "@opentelemetry/*", "hot-shots", "music-metadata"],
  banner: { js: "import { createRequire as __avalonCreateRequire } from 'node:module'; const require = __avalonCreateRequire(import.meta.url);" }
})
