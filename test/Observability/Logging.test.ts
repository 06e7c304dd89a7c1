import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, FiberRef, HashSet, Logger, LogLevel } from "effect"
import type { Settings } from "../../src/Config/Settings.js"
import { LoggingLive } from "../../src/Observability/Logging.js"
import { openLogSink } from "../../src/Observability/LogSink.js"
import { configLayer } from "./fixtures.js"

const dir = mkdtempSync(join(tmpdir(), "avalon-logging-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshLogPath = () => join(dir, `avalon-${++files}.log`)

const plain = { LOG_FORMAT: "%(levelname)s %(name)s %(message)s" }

const logTo = <A, E>(overrides: Partial<Settings>, program: Effect.Effect<A, E>) =>
  program.pipe(Effect.provide(LoggingLive), Effect.provide(configLayer(overrides)))

const everyLevel = Effect.all([
  Effect.logDebug("d"),
  Effect.logInfo("i"),
  Effect.logWarning("w"),
  Effect.logError("e"),
  Effect.logFatal("f")
])

const linesOf = (path: string) => readFileSync(path, "utf8").split("\n").filter((line) => line !== "")

const openDescriptorsOf = (path: string): number =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path
    } catch {
      return false
    }
  }).length

describe("LoggingLive", () => {
  it.live("appends formatted lines to LOG_PATH, keeping what was there", () =>
    Effect.gen(function*() {
      const path = freshLogPath()
      writeFileSync(path, "an older line\n")
      yield* logTo({ ...plain, LOG_PATH: path }, Effect.log("first run"))
      yield* logTo({ ...plain, LOG_PATH: path }, Effect.log("second run").pipe(Effect.annotateLogs("logger", "avalon.scan")))
      expect(readFileSync(path, "utf8")).toBe("an older line\nINFO avalon first run\nINFO avalon.scan second run\n")
    }))

  it.live("uses the default format with the date format and pid", () =>
    Effect.gen(function*() {
      const path = freshLogPath()
      yield* logTo({ LOG_PATH: path, LOG_DATE_FORMAT: "%Y" }, Effect.logWarning("hello"))
      expect(linesOf(path)).toEqual([`[${new Date().getFullYear()}] [${process.pid}] [WARNING] hello`])
    }))

  it.live.each([
    ["DEBUG", ["DEBUG avalon d", "INFO avalon i", "WARNING avalon w", "ERROR avalon e", "CRITICAL avalon f"]],
    ["INFO", ["INFO avalon i", "WARNING avalon w", "ERROR avalon e", "CRITICAL avalon f"]],
    ["WARN", ["WARNING avalon w", "ERROR avalon e", "CRITICAL avalon f"]],
    ["ERROR", ["ERROR avalon e", "CRITICAL avalon f"]],
    ["CRITICAL", ["CRITICAL avalon f"]]
  ] as const)("LOG_LEVEL %s keeps %j", ([level, expected]) =>
    Effect.gen(function*() {
      const path = freshLogPath()
      yield* logTo({ ...plain, LOG_PATH: path, LOG_LEVEL: level }, everyLevel)
      expect(linesOf(path)).toEqual(expected)
    }))

  it.live("writes JSON lines with annotations and the failure's stack", () =>
    Effect.gen(function*() {
      const path = freshLogPath()
      yield* logTo(
        { LOG_PATH: path, LOG_FORMAT: "json" },
        Effect.logError("request failed", Cause.fail(new Error("no such table"))).pipe(
          Effect.annotateLogs({ logger: "avalon.http", endpoint: "songs" })
        )
      )
      const lines = linesOf(path)
      expect(lines).toHaveLength(1)
      const record = JSON.parse(lines[0]!) as Record<string, unknown>
      expect(record).toMatchObject({ level: "ERROR", pid: process.pid, name: "avalon.http", message: "request failed", endpoint: "songs" })
      expect(String(record.cause)).toMatch(/^Error: no such table\n\s+at /)
    }))

  it.live("masks the database password and the Sentry key of the settings", () =>
    Effect.gen(function*() {
      const path = freshLogPath()
      yield* logTo(
        {
          ...plain,
          LOG_PATH: path,
          DATABASE_URL: "postgresql://avalon:hunter22@db/music",
          SENTRY_DSN: "https://0123abcdef@o1.ingest.sentry.io/5"
        },
        Effect.log("db postgresql://avalon:hunter22@db/music; bare hunter22; key 0123abcdef")
      )
      expect(linesOf(path)).toEqual(["INFO avalon db postgresql://avalon:***@db/music; bare ***; key ***"])
    }))

  it.live.skipIf(!existsSync("/proc/self/fd"))("keeps the log file open while the layer lives and closes it after", () =>
    Effect.gen(function*() {
      const path = freshLogPath()
      const whileOpen = yield* logTo({ LOG_PATH: path }, Effect.sync(() => openDescriptorsOf(path)))
      expect(whileOpen).toBe(1)
      expect(openDescriptorsOf(path)).toBe(0)
    }))

  it.live("fails with one clear ConfigError when LOG_PATH cannot be opened", () =>
    Effect.gen(function*() {
      const missing = join(dir, "no-such-folder", "avalon.log")
      const error = yield* Effect.flip(logTo({ LOG_PATH: missing }, Effect.log("never")))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toBe(`LOG_PATH ${missing} cannot be opened for appending: its folder does not exist`)
      const folder = yield* Effect.flip(logTo({ LOG_PATH: dir }, Effect.log("never")))
      expect(folder.message).toBe(`LOG_PATH ${dir} cannot be opened for appending: it is a folder, not a file`)
    }))

  it.live("rejects an unknown LOG_FORMAT token with a ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(logTo({ LOG_FORMAT: "%(lineno)d %(message)s" }, Effect.log("never")))
      expect(error.message).toMatch(/^LOG_FORMAT: unknown token %\(lineno\) \(known: /)
    }))

  it.live.skipIf(!existsSync("/dev/full"))("drops lines it cannot write (disk full) without failing", () =>
    Effect.gen(function*() {
      const result = yield* logTo({ LOG_PATH: "/dev/full" }, Effect.log("lost").pipe(Effect.zipRight(Effect.log("lost too")), Effect.as(42)))
      expect(result).toBe(42)
      const sink = yield* openLogSink("/dev/full")
      expect(() => sink.write("x")).not.toThrow()
      expect(() => sink.write("y")).not.toThrow()
      expect(sink.dropped()).toBe(2)
      sink.close()
    }))
})

describe("LoggingLive scope", () => {
  it.live("restores the previous loggers and level once the provided effect is done", () =>
    Effect.gen(function*() {
      const loggersBefore = yield* FiberRef.get(FiberRef.currentLoggers)
      const levelBefore = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
      const inside = yield* logTo(
        { LOG_LEVEL: "DEBUG" },
        Effect.zip(FiberRef.get(FiberRef.currentLoggers), FiberRef.get(FiberRef.currentMinimumLogLevel))
      )
      expect(HashSet.has(inside[0], Logger.defaultLogger)).toBe(false)
      expect(inside[1]).toBe(LogLevel.Debug)
      expect(yield* FiberRef.get(FiberRef.currentLoggers)).toStrictEqual(loggersBefore)
      expect(yield* FiberRef.get(FiberRef.currentMinimumLogLevel)).toBe(levelBefore)
    }))
})
