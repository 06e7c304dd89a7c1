import { fileURLToPath } from "node:url"
import type { QuickRescanOutcome } from "../Scan/quickRescan.js"
import { runBundle } from "./runBundle.js"

/** The subcommand whose code the run warms up, naming its code cache: `avalon scan` and `avalon serve` share little. */
const cacheNameOf = (argv: ReadonlyArray<string>): string => argv.slice(2).find((arg) => arg === "serve" || arg === "scan") ?? "cli"

const cacheName = cacheNameOf(process.argv)
const bundle = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url))
// A server saves its cache once it has started (and loaded a collection of usual size), not only on exit.
const runProgram = () => {
  runBundle(bundle("avalon.cjs"), { cacheName, ...(cacheName === "serve" ? { saveAfterMs: 5000 } : {}) })
}

if (process.argv[2] === "scan") {
  // Most re-scans change nothing, which a small bundle finds out faster than the program can start (see quickRescan).
  const { quickRescan } = runBundle(bundle("quickRescan.cjs"), { cacheName }).exports as {
    readonly quickRescan: (argv: ReadonlyArray<string>) => Promise<QuickRescanOutcome>
  }
  const report = process.env["AVALON_QUICK_RESCAN"] === "debug"
    ? (text: string) => process.stderr.write(`avalon: quick re-scan ${text}\n`)
    : () => undefined
  quickRescan(process.argv).then(
    (outcome) => {
      report(outcome.done ? "done" : `declined: ${outcome.reason}`)
      if (!outcome.done) runProgram()
    },
    (error: unknown) => {
      report(`failed: ${error instanceof Error ? error.message : String(error)}`)
      runProgram()
    }
  )
} else {
  runProgram()
}
