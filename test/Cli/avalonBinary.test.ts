import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { runAvalon } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder()
afterAll(folder.remove)

// ANSI colour codes are always on in @effect/cli help output.
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "")

describe("the built avalon program", () => {
  it("prints its version", () => {
    const packageVersion = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version
    for (const flag of ["--version", "-V"]) {
      const result = runAvalon([flag])
      expect(result.status).toBe(0)
      expect(result.stdout.trim()).toBe(packageVersion)
    }
  })

  it("lists its commands in --help", () => {
    const result = runAvalon(["--help"])
    expect(result.status).toBe(0)
    for (const command of ["serve", "scan", "echo-config"]) expect(plain(result.stdout)).toContain(`- ${command}`)
  })

  it("describes each command's options", () => {
    const scan = plain(runAvalon(["scan", "--help"]).stdout)
    for (const option of ["--database", "--quiet", "--full", "<collection dir>"]) expect(scan).toContain(option)
    const serve = plain(runAvalon(["serve", "--help"]).stdout)
    for (const option of ["--host", "--port", "--workers"]) expect(serve).toContain(option)
  })

  it("never shows configured secrets in help output", () => {
    const env = { AVALON_DATABASE_URL: "postgresql://avalon:hunter2@db/music", AVALON_SENTRY_DSN: "https://abcdef0123456789@sentry.example/42" }
    for (const args of [["--help"], ["serve", "--help"], ["scan", "--help"]]) {
      const result = runAvalon(args, env)
      expect(result.status).toBe(0)
      expect(result.stdout + result.stderr).not.toMatch(/hunter2|abcdef0123456789/)
    }
  })

  it("echoes the embedded configuration byte for byte", () => {
    const result = runAvalon(["echo-config"])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(readFileSync(new URL("../../config/avalon.toml", import.meta.url), "utf8"))
  })

  it("reads an edited copy of the configuration through AVALON_CONFIG", () => {
    const path = join(folder.path, "edited.toml")
    writeFileSync(path, runAvalon(["echo-config"]).stdout.replace('REQUEST_PATH = "/avalon"', 'REQUEST_PATH = "/'))
    const result = runAvalon(["serve"], { AVALON_CONFIG: path })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`^avalon: ${path}: syntax error on line \\d+: `))
  })

  it.each([
    [{ AVALON_CONFIG: "/nonexistent/avalon.toml" }, "avalon: AVALON_CONFIG file /nonexistent/avalon.toml cannot be read: no such file\n"],
    [{ AVALON_LOG_LEVEL: "LOUD" }, "avalon: environment variable AVALON_LOG_LEVEL: LOG_LEVEL \"LOUD\" is not one of DEBUG, INFO, WARN, ERROR, CRITICAL\n"],
    [{ AVALON_REQUEST_PATH: "avalon" }, "avalon: environment variable AVALON_REQUEST_PATH: REQUEST_PATH \"avalon\" must begin with \"/\"\n"],
    [{ AVALON_STATSD_PORT: "x" }, "avalon: environment variable AVALON_STATSD_PORT must be an integer, not \"x\"\n"]
  ])("fails fast on bad configuration with one line and exit code 2: %o", (env, message) => {
    const result = runAvalon(["serve"], env)
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(message)
  })

  it("names an unopenable LOG_PATH", () => {
    const result = runAvalon(["serve"], { AVALON_LOG_PATH: "/nonexistent/folder/avalon.log" })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/^avalon: LOG_PATH \/nonexistent\/folder\/avalon\.log cannot be opened for appending: its folder does not exist\n$/)
  })

  it("treats a bad flag as a usage error", () => {
    const result = runAvalon(["serve", "--port", "abc"])
    expect(result.status).toBe(2)
    expect(result.stderr + result.stdout).not.toMatch(/at .+\.js:\d+/)
  })

  it.each(["avalon.cjs", "quickRescan.cjs"])("runs compiled bundles, with Effect inside them rather than resolved at start-up: %s", (file) => {
    const bundle = readFileSync(new URL(`../../dist/${file}`, import.meta.url), "utf8")
    // (@effect/opentelemetry is loaded only when tracing is on.)
    expect(bundle).not.toMatch(/(from\s*|require\()["'](effect|@effect\/(?!opentelemetry)[a-z-]+)(\/[A-Za-z]+)?["']/)
    // A `vm.Script` cannot import() once run from a code cache (see runBundle).
    expect(bundle).not.toMatch(/[^\w$.]import\(/)
    expect(readFileSync(new URL("../../bin/avalon.js", import.meta.url), "utf8")).toContain("../dist/avalon.js")
    expect(readFileSync(new URL("../../dist/avalon.js", import.meta.url), "utf8")).toContain(file)
  })
})
