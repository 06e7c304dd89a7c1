import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { build } from "esbuild"
import { keepNextTickMapsAlive, keptNextTick } from "../../src/Http/keepNextTickMapsAlive.js"

const scratch = mkdtempSync(join(tmpdir(), "avalon-next-tick-"))
const probe = join(scratch, "probe.cjs")

// In a child process with V8's natives syntax: schedule ticks, collect garbage with none alive (as an idle server
// does), schedule ticks again, then print the state of nextTick's inline caches for the entry's computed keys.
const probeSource = `
import { keepNextTickMapsAlive } from ${JSON.stringify(new URL("../../src/Http/keepNextTickMapsAlive.ts", import.meta.url).pathname)}
import { collectGarbage } from ${JSON.stringify(new URL("../../src/Launch/collectGarbage.ts", import.meta.url).pathname)}
if (process.argv[2] === "keep") keepNextTickMapsAlive()
const ticks = (count) => new Promise((done) => {
  let left = count
  for (let i = 0; i < count; i++) process.nextTick(() => { if (--left === 0) done() })
})
const idle = () => new Promise((done) => setTimeout(done, 10))
const run = async () => {
  await ticks(1000)
  for (let i = 0; i < 4; i++) {
    collectGarbage()
    await idle()
  }
  await ticks(1000)
  new Function("f", "%DebugPrint(f)")(process.nextTick)
}
run()
`

const literalCacheStates = async (mode: "keep" | "plain"): Promise<ReadonlyArray<string>> => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--allow-natives-syntax", probe, mode], { maxBuffer: 16 * 1024 * 1024 })
  return Array.from(stdout.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g), (match) => match[1] ?? "")
}

beforeAll(async () => {
  await build({
    stdin: { contents: probeSource, resolveDir: scratch, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: probe,
    logLevel: "error"
  })
})

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe("keepNextTickMapsAlive", () => {
  it("keeps one nextTick entry: an object with the async id symbols and a callback", () => {
    keepNextTickMapsAlive()
    const kept = keptNextTick()
    expect(kept).toBeDefined()
    expect(Object.getOwnPropertySymbols(kept ?? {}).map(String)).toEqual(["Symbol(async_id_symbol)", "Symbol(trigger_async_id_symbol)"])
    expect(typeof Reflect.get(kept ?? {}, "callback")).toBe("function")
    keepNextTickMapsAlive()
    expect(keptNextTick()).toBe(kept)
  })

  it("keeps nextTick's caches for its entry's keys monomorphic across collections made while no entry is alive", async () => {
    const kept = await literalCacheStates("keep")
    expect(kept.length).toBeGreaterThanOrEqual(2)
    expect(new Set(kept)).toEqual(new Set(["MONOMORPHIC"]))
    // Without it (this Node's behaviour; if a later Node no longer does this, the workaround can go).
    expect(await literalCacheStates("plain")).toContain("MEGAMORPHIC")
  }, 30_000)
})
