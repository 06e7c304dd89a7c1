import { describe, expect, it } from "@effect/vitest"
import { Cause, LogLevel } from "effect"
import { compileLogFormat, type LogEntry, makeLogLine } from "../../src/Observability/formatLogLine.js"
import { testSettings } from "./fixtures.js"

const date = new Date(2024, 0, 5, 14, 3, 9, 123)
const entry: LogEntry = { level: LogLevel.Info, message: "catalog loaded", date, pid: 4242 }
const defaults = testSettings()
const line = (LOG_FORMAT: string, overrides: Partial<LogEntry> = {}, LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S") =>
  makeLogLine({ LOG_FORMAT, LOG_DATE_FORMAT }, { ...entry, ...overrides })

describe("makeLogLine", () => {
  it("renders the default format like the original Python server", () => {
    expect(makeLogLine(defaults, entry)).toBe("[2024-01-05T14:03:09] [4242] [INFO] catalog loaded")
  })

  it.each([
    ["%(asctime)s", "2024-01-05T14:03:09"],
    ["%(process)d", "4242"],
    ["%(levelname)s", "INFO"],
    ["%(message)s", "catalog loaded"],
    ["%(name)s", "avalon"],
    ["%(levelno)d", "20"],
    ["%(msecs)d", "123"],
    ["%(created)f", (date.getTime() / 1000).toFixed(6)],
    ["%(levelname)-8s|", "INFO    |"],
    ["%(levelname)8s|", "    INFO|"],
    ["%(levelname).1s", "I"],
    ["%(process)08d", "00004242"],
    ["100%% %(message)s", "100% catalog loaded"]
  ])("%s gives %j", (format, expected) => {
    expect(line(format)).toBe(expected)
  })

  it.each([
    [LogLevel.Debug, "DEBUG"],
    [LogLevel.Info, "INFO"],
    [LogLevel.Warning, "WARNING"],
    [LogLevel.Error, "ERROR"],
    [LogLevel.Fatal, "CRITICAL"]
  ])("prints level %s Python-style as %s", (level, name) => {
    expect(line("%(levelname)s", { level })).toBe(name)
  })

  it("takes the logger name from the `logger` annotation", () => {
    expect(line("%(name)s: %(message)s", { annotations: { logger: "avalon.scan" } })).toBe("avalon.scan: catalog loaded")
  })

  it("joins the parts of a multi-part message and renders values and errors", () => {
    expect(line("%(message)s", { message: ["loaded", 3, { tracks: 2 }, new Error("boom")] }))
      .toBe(`loaded 3 {"tracks":2} Error: boom`)
  })

  it("uses Python's default asctime when LOG_DATE_FORMAT is empty", () => {
    expect(line("%(asctime)s", {}, "")).toBe("2024-01-05 14:03:09,123")
  })

  it("prints the cause with its stack after the message", () => {
    const text = line("[%(levelname)s] %(message)s", { level: LogLevel.Error, message: "request failed", cause: Cause.fail(new Error("disk on fire")) })
    const [first, ...rest] = text.split("\n")
    expect(first).toBe("[ERROR] request failed")
    expect(rest[0]).toBe("Error: disk on fire")
    expect(rest.some((l) => /^\s+at /.test(l))).toBe(true)
  })

  it("writes one JSON object per line with annotations and the cause", () => {
    const text = line("json", {
      level: LogLevel.Warning,
      annotations: { logger: "avalon.http", endpoint: "songs", count: 3n },
      cause: Cause.fail(new Error("slow"))
    })
    expect(text).not.toContain("\n")
    const record = JSON.parse(text) as Record<string, unknown>
    expect(record).toMatchObject({
      time: date.toISOString(),
      level: "WARNING",
      pid: 4242,
      name: "avalon.http",
      message: "catalog loaded",
      endpoint: "songs",
      count: "3"
    })
    expect(Object.keys(record).slice(0, 5)).toEqual(["time", "level", "pid", "name", "message"])
    expect(record.logger).toBeUndefined()
    expect(String(record.cause)).toMatch(/^Error: slow\n\s+at /)
  })

  it("survives circular annotations in JSON", () => {
    const loop: Record<string, unknown> = { a: 1 }
    loop.self = loop
    const record = JSON.parse(line("json", { annotations: { loop } })) as Record<string, unknown>
    expect(record.message).toBe("catalog loaded")
    expect(record.loop).toBe(`{"a":1}`)
  })

  it("masks URL passwords and DSN keys in text and JSON lines", () => {
    const message = "connecting to postgresql://avalon:s3cret@db.example:5432/music, reporting to https://0123abcd@o1.ingest.sentry.io/42"
    expect(line("%(message)s", { message })).toBe(
      "connecting to postgresql://avalon:***@db.example:5432/music, reporting to https://***@o1.ingest.sentry.io/42"
    )
    const json = line("json", { message, annotations: { url: "postgresql://u:hunter22@h/db" } })
    expect(json).not.toContain("s3cret")
    expect(json).not.toContain("hunter22")
    expect(json).not.toContain("0123abcd")
    expect(JSON.parse(json)).toMatchObject({ url: "postgresql://u:***@h/db" })
  })
})

describe("compileLogFormat", () => {
  it("accepts the default settings", () => {
    expect(compileLogFormat(defaults).problems).toEqual([])
  })

  it("names unknown tokens, lone percent signs and unknown date directives", () => {
    expect(compileLogFormat({ LOG_FORMAT: "%(funcName)s %(message)|50% %(levelname)s", LOG_DATE_FORMAT: "%Y %Q" }).problems).toEqual([
      "LOG_FORMAT: unknown token %(funcName) (known: %(asctime)s %(created)s %(levelname)s %(levelno)s %(message)s %(msecs)s %(name)s %(process)s)",
      "LOG_FORMAT: %(message) lacks a conversion such as s or d",
      "LOG_FORMAT: lone \"%\" at position 27 (write %% for a percent sign)",
      "LOG_DATE_FORMAT: unknown directive %Q"
    ])
  })
})
