import { fileURLToPath } from "node:url"
import { runBundle } from "./runBundle.js"

/** The subcommand whose code the run warms up, naming its code cache: `avalon scan` and `avalon serve` share little. */
const cacheNameOf = (argv: ReadonlyArray<string>): string => argv.slice(2).find((arg) => arg === "serve" || arg === "scan") ?? "cli"

const cacheName = cacheNameOf(process.argv)
// A server saves its cache once it has started (and loaded a collection of usual size), not only on exit.
runBundle(fileURLToPath(new URL("./avalon.cjs", import.meta.url)), { cacheName, ...(cacheName === "serve" ? { saveAfterMs: 5000 } : {}) })
