// Bundles the program into CommonJS files: dist/avalon.cjs (the CLI, server and scanner), dist/tagWorker.cjs
// (the tag reader's worker thread) and dist/quickRescan.cjs (an unchanged re-scan, tried before the program).
// Start-up resolves no module, and each is run by a small ESM launcher (dist/avalon.js, dist/tagWorker.js;
// src/Launch) through a `vm.Script` with the V8 code cache of an earlier run:
// parsing and compiling ~1 MB of JavaScript was most of a short command's start-up (see `runBundle`). A
// command's implementation (database drivers, tag reader) is still evaluated only when that command runs: esbuild
// turns its dynamic import into a module initialized on first use.
//
// music-metadata is bundled too (the tag worker would otherwise resolve and compile ~100 ESM files at each start),
// with a few small patches applied here, at bundle time, never in node_modules (`npm ci` stays enough; see
// `musicMetadataPatches`).
import { build } from "esbuild"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
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

/** What makes a CommonJS module body the function `runBundle` runs (on its first line: the source map's lines hold). */
export const bundleWrapper = { head: "(function (exports, require, module, __filename, __dirname) {", tail: "\n})" }

/** The options of the bundles. */
export const commonOptions = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  minify: true,
  keepNames: true,
  logLevel: "warning",
  loader: { ".toml": "text", ".html": "text" },
  plugins: [musicMetadataPatches, optionFileParsers],
  external: ["better-sqlite3", "pg-native", "@sentry/node", "@effect/opentelemetry", "@opentelemetry/*"],
  // A `vm.Script` run with a code cache cannot `import()` (Node 20): the externals are `require`d, which loads ESM
  // too (Node >= 20.19).
  supported: { "dynamic-import": false },
  // The bundle is the function Node would wrap a module in, which `runBundle` compiles as it is: wrapping it at
  // run time made a second copy of its 1.3 MB of text, which survived long enough to make V8 grow its young
  // generation (`avalon serve` at 100k songs: +10 MB of peak RSS). `runBundle` passes the bundle's own path as
  // `__filename`.
  define: { "import.meta.url": "__avalonImportMetaUrl" },
  banner: { js: `${bundleWrapper.head}var __avalonImportMetaUrl = require("node:url").pathToFileURL(__filename).href;` },
  footer: { js: bundleWrapper.tail }
}

const source = (path) => new URL(`../src/${path}`, import.meta.url).pathname

/** Each bundle, and the launcher that runs it (the file to start: `bin/avalon.js` imports dist/avalon.js). */
const programs = {
  avalon: { bundle: source("bin.ts"), launcher: source("Launch/launchAvalon.ts") },
  // TagReaderPool starts it as ./tagWorker.js next to the bundle that holds the pool.
  tagWorker: { bundle: source("Scan/tagWorker.ts"), launcher: source("Launch/launchTagWorker.ts") },
  // Run by avalon's launcher before the program itself, for `avalon scan` (src/Scan/quickRescan.ts).
  // Without music-metadata, whose patches would find nothing to patch.
  quickRescan: { bundle: source("Scan/quickRescan.ts"), plugins: [] }
}

/**
 * esbuild escapes non-ASCII text in strings but not in regular expressions (music-metadata has a "©" in one):
 * escaped too, the bundle is ASCII, which Node reads as a one-byte string several times faster than UTF-8.
 */
const escapeNonAscii = (text) => text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)

const buildBundle = async (name, dist) => {
  const { bundle, plugins = commonOptions.plugins } = programs[name]
  const result = await build({ ...commonOptions, plugins, entryPoints: [bundle], outfile: join(dist, `${name}.cjs`), write: false })
  mkdirSync(dist, { recursive: true })
  for (const file of result.outputFiles) writeFileSync(file.path, file.path.endsWith(".cjs") ? escapeNonAscii(file.text) : file.contents)
}

/** Builds one program into `dist` (also used by the tests that rebuild the tag worker alone). */
export const buildProgram = (name, dist) => {
  const { launcher } = programs[name]
  return Promise.all([
    buildBundle(name, dist),
    launcher === undefined
      ? undefined
      : build({ bundle: true, platform: "node", format: "esm", target: "node20", minify: true, logLevel: "warning", entryPoints: [launcher], outfile: join(dist, `${name}.js`) })
  ])
}

const main = async () => {
  const dist = new URL("../dist/", import.meta.url).pathname
  rmSync(dist, { recursive: true, force: true })
  await Promise.all(Object.keys(programs).map((name) => buildProgram(name, dist)))
}

// Builds when run (`node scripts/build.mjs`), not when imported for its options.
if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) await main()
