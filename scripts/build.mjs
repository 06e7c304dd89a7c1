// Bundles the program into a few ESM files: start-up avoids resolving hundreds of modules, and each command's
// implementation (database drivers, tag reader) is a chunk loaded only when that command runs.
//
// music-metadata is bundled too (the tag worker would otherwise resolve and compile ~100 ESM files at each start:
// ready in ~70 ms instead of ~150-250 ms), with a few small patches applied here, at bundle time, never in
// node_modules (`npm ci` stays enough; see `musicMetadataPatches`).
import { build } from "esbuild"
import { rmSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { pathToFileURL } from "node:url"

/**
 * Source patches of music-metadata (11.16) and token-types, applied while bundling. Each names the exact text it
 * replaces, and the build fails when that text or its file is missing: a new version must be looked at again,
 * never silently left unpatched. Gains are instructions of a cold parse of 2,960 small files in one thread
 * (valgrind's count, steady to 0.1%, where timings on a shared machine are not):
 *
 * - MetadataCollector: every parse built a `CombinedTagMapper`, i.e. eleven tag mappers, several of which copy
 *   their whole tag table into an upper-cased one. The mappers are stateless (their only field is that table),
 *   so one instance serves every parse: −35%.
 * - token-types builds a `DataView` per field read; consecutive fields of one token share one now: −1%.
 * - Their `debug` logging is compiled out (a call per atom, frame and tag, with its message built even when
 *   disabled): −3%. `DEBUG=music-metadata:*` works only when running from source.
 */
const patches = [
  {
    file: /[\\/]music-metadata[\\/]lib[\\/]common[\\/]MetadataCollector\.js$/,
    replace: "this.tagMapper = new CombinedTagMapper();",
    with: "this.tagMapper = avalonSharedTagMapper ??= new CombinedTagMapper();",
    append: "\nlet avalonSharedTagMapper;\n"
  },
  {
    file: /[\\/]token-types[\\/]dist[\\/]lib[\\/]index\.js$/,
    replace: "function dv(array) {\n    return new DataView(array.buffer, array.byteOffset);\n}",
    with: "let avalonLastArray;\nlet avalonLastView;\nfunction dv(array) {\n    if (array !== avalonLastArray) {\n        avalonLastView = new DataView(array.buffer, array.byteOffset);\n        avalonLastArray = array;\n    }\n    return avalonLastView;\n}",
    append: ""
  }
]

/** Packages of the tag reader whose `debug` logging is compiled out (see `musicMetadataPatches`). */
const tagReaderPackages = /[\\/]node_modules[\\/](music-metadata|strtok3|token-types|file-type|@tokenizer[\\/][^\\/]+)[\\/]/

export const musicMetadataPatches = {
  name: "music-metadata-patches",
  setup(build) {
    build.onResolve({ filter: /^debug$/ }, (args) => (tagReaderPackages.test(args.importer) ? { path: "debug", namespace: "avalon-debug-off" } : undefined))
    build.onLoad({ filter: /.*/, namespace: "avalon-debug-off" }, () => ({
      contents: "const off = () => {};\noff.enabled = false;\noff.extend = () => off;\nexport default () => off;\n",
      loader: "js"
    }))
    const applied = new Set()
    for (const patch of patches) {
      build.onLoad({ filter: patch.file }, async (args) => {
        const source = await readFile(args.path, "utf8")
        if (source.split(patch.replace).length !== 2) {
          throw new Error(`music-metadata patch: expected exactly one "${patch.replace}" in ${args.path}; re-check the patch against this version`)
        }
        applied.add(patch)
        return { contents: source.replace(patch.replace, patch.with) + patch.append, loader: "js" }
      })
    }
    // A patch whose file was bundled under another name would silently not apply.
    build.onEnd((result) => {
      if (result.errors.length > 0) return
      const missed = patches.filter((patch) => !applied.has(patch))
      if (missed.length > 0) return { errors: missed.map((patch) => ({ text: `music-metadata patch not applied: no bundled file matches ${patch.file}` })) }
    })
  }
}

/**
 * @effect/cli parses option files written in YAML, TOML or INI with three parsers that every start of the
 * program would load and compile (~160 KB of the ~1 MB a serve start compiles). Avalon declares no file
 * option, so they are replaced by stubs that say so should one ever be reached.
 */
const optionFileParsers = {
  name: "option-file-parsers",
  setup(build) {
    build.onResolve({ filter: /^(yaml|toml|ini)$/ }, (args) =>
      /[\\/]@effect[\\/]cli[\\/]/.test(args.importer) ? { path: args.path, namespace: "avalon-no-option-files" } : undefined)
    build.onLoad({ filter: /.*/, namespace: "avalon-no-option-files" }, (args) => ({
      contents: `export const parse = () => { throw new Error("avalon reads no ${args.path.toUpperCase()} option files") }\n`,
      loader: "js"
    }))
  }
}

/** Shared by `npm run build` and the tests that rebuild dist/tagWorker.js alone. */
export const commonOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  minify: true,
  keepNames: true,
  logLevel: "warning",
  loader: { ".toml": "text", ".html": "text" },
  plugins: [musicMetadataPatches, optionFileParsers],
  external: ["better-sqlite3", "pg-native", "@sentry/node", "@effect/opentelemetry", "@opentelemetry/*"],
  banner: { js: "import { createRequire as __avalonCreateRequire } from 'node:module'; const require = __avalonCreateRequire(import.meta.url);" }
}

const main = async () => {
  const dist = new URL("../dist/", import.meta.url).pathname
  rmSync(dist, { recursive: true, force: true })
  await build({
    ...commonOptions,
    entryPoints: {
      avalon: new URL("../src/bin.ts", import.meta.url).pathname,
      // TagReaderPool loads it as ./tagWorker.js next to the chunk that holds the pool (all chunks share dist/).
      tagWorker: new URL("../src/Scan/tagWorker.ts", import.meta.url).pathname
    },
    outdir: dist,
    chunkNames: "chunk-[hash]",
    splitting: true
  })
}

// Builds when run (`node scripts/build.mjs`), not when imported for its options.
if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) await main()
