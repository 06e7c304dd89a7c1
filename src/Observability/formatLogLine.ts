import { Cause, Inspectable, type LogLevel } from "effect"
import type { Settings } from "../Config/Settings.js"
import { redactSecrets } from "./redactSecrets.js"
import { compileStrftime, type CompiledStrftime } from "./strftime.js"

export type LogLineSettings = Pick<Settings, "LOG_FORMAT" | "LOG_DATE_FORMAT">

export type LogEntry = {
  readonly level: LogLevel.LogLevel
  readonly message: unknown
  readonly date: Date
  readonly annotations?: Readonly<Record<string, unknown>>
  readonly cause?: Cause.Cause<unknown>
  readonly pid?: number
}

const pythonLevels: Readonly<Record<LogLevel.LogLevel["_tag"], readonly [name: string, number: number]>> = {
  All: ["NOTSET", 0],
  Trace: ["TRACE", 5],
  Debug: ["DEBUG", 10],
  Info: ["INFO", 20],
  Warning: ["WARNING", 30],
  Error: ["ERROR", 40],
  Fatal: ["CRITICAL", 50],
  None: ["NONE", 60]
}

/** The Python logging name of an Effect log level: DEBUG, INFO, WARNING, ERROR, CRITICAL. */
export const levelName = (level: LogLevel.LogLevel): string => pythonLevels[level._tag][0]

export const defaultLoggerName = "avalon"

const loggerName = (entry: LogEntry): string => {
  const name = entry.annotations?.logger
  return typeof name === "string" && name !== "" ? name : defaultLoggerName
}

const renderPart = (part: unknown): string =>
  typeof part === "string" ? part
  : part instanceof Error ? String(part)
  : typeof part === "object" && part !== null ? Inspectable.toStringUnknown(part, 0)
  : String(part)

export const renderMessage = (message: unknown): string =>
  Array.isArray(message) ? message.map(renderPart).join(" ") : renderPart(message)

const renderCause = (cause: Cause.Cause<unknown> | undefined): string | undefined =>
  cause === undefined || Cause.isEmpty(cause) ? undefined : Cause.pretty(cause, { renderErrorCause: true })

type Token = (entry: LogEntry, asctime: CompiledStrftime) => string | number

const tokens: Readonly<Record<string, Token>> = {
  asctime: (entry, asctime) => asctime.render(entry.date),
  created: (entry) => entry.date.getTime() / 1000,
  levelname: (entry) => levelName(entry.level),
  levelno: (entry) => pythonLevels[entry.level._tag][1],
  message: (entry) => renderMessage(entry.message),
  msecs: (entry) => entry.date.getMilliseconds(),
  name: loggerName,
  process: (entry) => entry.pid ?? process.pid
}

export const logFormatTokens: ReadonlyArray<string> = Object.keys(tokens).map((name) => `%(${name})s`)

const placeholder = /%(?:\(([^)]*)\)([-#0 +]*)(\d*)(?:\.(\d*))?([a-zA-Z%]?)|%|)/g

const convert = (value: string | number, conversion: string, flags: string, width: number, precision: number | undefined): string => {
  let text = conversion === "d" || conversion === "i"
    ? (typeof value === "number" ? String(Math.trunc(value)) : value)
    : conversion === "f"
    ? (typeof value === "number" ? value.toFixed(precision ?? 6) : value)
    : String(value)
  if ((conversion === "s" || conversion === "r") && precision !== undefined) text = text.slice(0, precision)
  if (text.length >= width) return text
  if (flags.includes("-")) return text.padEnd(width)
  if (flags.includes("0") && conversion !== "s" && conversion !== "r") {
    const sign = text.startsWith("-") ? "-" : ""
    return sign + text.slice(sign.length).padStart(width - sign.length, "0")
  }
  return text.padStart(width)
}

type Part = string | ((entry: LogEntry, asctime: CompiledStrftime) => string)

const parseLogFormat = (format: string): { readonly parts: ReadonlyArray<Part>; readonly problems: ReadonlyArray<string> } => {
  const parts: Array<Part> = []
  const problems: Array<string> = []
  let last = 0
  for (const match of format.matchAll(placeholder)) {
    const [text, name, flags = "", width = "", precision, conversion = ""] = match
    if (match.index > last) parts.push(format.slice(last, match.index))
    last = match.index + text.length
    if (text === "%%") {
      parts.push("%")
      continue
    }
    const token = name === undefined ? undefined : tokens[name]
    if (name === undefined) problems.push(`lone "%" at position ${match.index + 1} (write %% for a percent sign)`)
    else if (token === undefined) problems.push(`unknown token %(${name}) (known: ${logFormatTokens.join(" ")})`)
    else if (!"sdifr".includes(conversion) || conversion === "") problems.push(`%(${name}) lacks a conversion such as s or d`)
    if (token === undefined || conversion === "" || !"sdifr".includes(conversion)) {
      parts.push(text)
      continue
    }
    const widthNumber = width === "" ? 0 : Number(width)
    const precisionNumber = precision === undefined ? undefined : precision === "" ? 0 : Number(precision)
    parts.push((entry, asctime) => convert(token(entry, asctime), conversion, flags, widthNumber, precisionNumber))
  }
  if (last < format.length) parts.push(format.slice(last))
  return { parts, problems }
}

const pythonDefaultDate = (date: Date, compiled: CompiledStrftime): string =>
  `${compiled.render(date)},${String(date.getMilliseconds()).padStart(3, "0")}`

const jsonReplacer = (_key: string, value: unknown): unknown =>
  typeof value === "bigint" ? value.toString()
  : value instanceof Error ? { name: value.name, message: value.message }
  : value

const safeJson = (value: unknown): unknown => {
  try {
    return JSON.parse(JSON.stringify(value, jsonReplacer) ?? "null")
  } catch {
    return renderPart(value)
  }
}

const jsonLine = (entry: LogEntry): string => {
  const record: Record<string, unknown> = {
    time: entry.date.toISOString(),
    level: levelName(entry.level),
    pid: entry.pid ?? process.pid,
    name: loggerName(entry),
    message: renderMessage(entry.message)
  }
  for (const [key, value] of Object.entries(entry.annotations ?? {})) {
    if (key !== "logger" && !Object.hasOwn(record, key)) record[key] = value
  }
  const cause = renderCause(entry.cause)
  if (cause !== undefined) record.cause = cause
  try {
    return JSON.stringify(record, jsonReplacer)
  } catch {
    for (const key of Object.keys(record)) record[key] = safeJson(record[key])
    return JSON.stringify(record)
  }
}

export type CompiledLogFormat = {
  readonly format: (entry: LogEntry) => string
  /** What is wrong with LOG_FORMAT / LOG_DATE_FORMAT, one phrase each; empty when both are fine. */
  readonly problems: ReadonlyArray<string>
}

/** Parses LOG_FORMAT (Python logging `%(token)s` placeholders, or `json`) and LOG_DATE_FORMAT once. */
export const compileLogFormat = (
  settings: LogLineSettings,
  redact: (line: string) => string = redactSecrets
): CompiledLogFormat => {
  const dateFormat = settings.LOG_DATE_FORMAT === "" ? "%Y-%m-%d %H:%M:%S" : settings.LOG_DATE_FORMAT
  const compiledDate = compileStrftime(dateFormat)
  const asctime: CompiledStrftime = settings.LOG_DATE_FORMAT === ""
    ? { render: (date) => pythonDefaultDate(date, compiledDate), unknown: [] }
    : compiledDate
  const dateProblems = compiledDate.unknown.map((directive) => `LOG_DATE_FORMAT: unknown directive ${directive}`)
  if (settings.LOG_FORMAT.trim().toLowerCase() === "json") {
    return { format: (entry) => redact(jsonLine(entry)), problems: dateProblems }
  }
  const { parts, problems } = parseLogFormat(settings.LOG_FORMAT)
  return {
    format: (entry) => {
      let line = ""
      for (const part of parts) line += typeof part === "string" ? part : part(entry, asctime)
      const cause = renderCause(entry.cause)
      return redact(cause === undefined ? line : `${line}\n${cause}`)
    },
    problems: [...problems.map((problem) => `LOG_FORMAT: ${problem}`), ...dateProblems]
  }
}

/** One formatted log line (plus the cause's lines, if any), secrets masked. Unknown placeholders stay literal. */
export const makeLogLine = (settings: LogLineSettings, entry: LogEntry): string => compileLogFormat(settings).format(entry)
