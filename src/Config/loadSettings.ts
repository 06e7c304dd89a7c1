import { tmpdir } from "node:os"
import { Either } from "effect"
import { parse, TomlError } from "smol-toml"
import { ConfigError } from "./ConfigError.js"
import { logLevelNames, type LogLevelName, type SettingName, type Settings } from "./Settings.js"

type Kind = "string" | "integer"

const kinds: { readonly [K in SettingName]: Kind } = {
  DATABASE_URL: "string",
  REQUEST_PATH: "string",
  CACHE_CONTROL: "string",
  LOG_LEVEL: "string",
  LOG_PATH: "string",
  LOG_FORMAT: "string",
  LOG_DATE_FORMAT: "string",
  SENTRY_DSN: "string",
  STATSD_HOST: "string",
  STATSD_PORT: "integer",
  STATSD_PREFIX: "string",
  OTLP_TRACES_URL: "string",
  HOST: "string",
  PORT: "integer",
  WORKERS: "integer",
  RELOAD_INTERVAL: "integer",
  RESPONSE_CACHE_MB: "integer",
  CHANGES_RETENTION: "integer",
  HEADERS_TIMEOUT: "integer",
  KEEP_ALIVE_TIMEOUT: "integer"
}

export const settingNames = Object.keys(kinds) as ReadonlyArray<SettingName>

const isSettingName = (name: string): name is SettingName => Object.hasOwn(kinds, name)

export type SettingsSources = {
  readonly defaultsText: string
  /** The `AVALON_CONFIG` file, when that variable is set. */
  readonly file?: { readonly path: string; readonly text: string }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly flags?: Partial<Settings>
}

type Values = Record<string, string | number>

const fail = (message: string): Either.Either<never, ConfigError> => Either.left(new ConfigError({ message }))

const parseToml = (text: string, origin: string): Either.Either<Record<string, unknown>, ConfigError> => {
  try {
    return Either.right(parse(text))
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0] ?? "invalid TOML"
      return fail(`${origin}: syntax error on line ${error.line}: ${reason}`)
    }
    return fail(`${origin}: cannot be parsed: ${String(error)}`)
  }
}

const describe = (value: unknown): string =>
  typeof value === "string" ? `the string ${JSON.stringify(value)}` : `${JSON.stringify(value) ?? String(value)} (${typeof value})`

const fromToml = (table: Record<string, unknown>, origin: string): Either.Either<Values, ConfigError> => {
  const values: Values = {}
  for (const [name, value] of Object.entries(table)) {
    if (!isSettingName(name)) {
      return fail(`${origin}: unknown setting ${name} (known settings: ${settingNames.join(", ")})`)
    }
    const kind = kinds[name]
    if (kind === "integer" ? !(typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) : typeof value !== "string") {
      return fail(`${origin}: setting ${name} must be ${kind === "integer" ? "an integer" : "a string"}, not ${describe(value)}`)
    }
    values[name] = typeof value === "bigint" ? Number(value) : (value as string | number)
  }
  return Either.right(values)
}

const integerText = /^\s*[+-]?\d+\s*$/

const fromEnv = (env: SettingsSources["env"]): Either.Either<Values, ConfigError> => {
  const values: Values = {}
  for (const name of settingNames) {
    const raw = env[`AVALON_${name}`]
    if (raw === undefined) continue
    if (kinds[name] === "integer") {
      if (!integerText.test(raw)) return fail(`environment variable AVALON_${name} must be an integer, not ${JSON.stringify(raw)}`)
      values[name] = Number.parseInt(raw, 10)
    } else {
      values[name] = raw
    }
  }
  return Either.right(values)
}

const checkRange = (values: Values, name: SettingName, min: number, max: number, origin: string) =>
  typeof values[name] === "number" && ((values[name] as number) < min || (values[name] as number) > max)
    ? fail(`${origin}: setting ${name} must be between ${min} and ${max}, not ${values[name]}`)
    : Either.right(values)

const isLogLevel = (value: string): value is LogLevelName => (logLevelNames as ReadonlyArray<string>).includes(value)

export const requestPathProblem = (path: string): string | undefined =>
  !path.startsWith("/")
    ? "must begin with \"/\""
    : path !== "/" && path.endsWith("/")
    ? "may not end with \"/\""
    : /[?#\s]/.test(path)
    ? "may not contain \"?\", \"#\" or whitespace"
    : undefined

const headerValue = /^[\t\x20-\x7e]*$/

const validate = (values: Values, origin: (name: SettingName) => string): Either.Either<Settings, ConfigError> => {
  const requestPath = String(values.REQUEST_PATH)
  const pathProblem = requestPathProblem(requestPath)
  if (pathProblem !== undefined) return fail(`${origin("REQUEST_PATH")}: REQUEST_PATH ${JSON.stringify(requestPath)} ${pathProblem}`)
  if (!headerValue.test(String(values.CACHE_CONTROL))) {
    return fail(`${origin("CACHE_CONTROL")}: CACHE_CONTROL ${JSON.stringify(values.CACHE_CONTROL)} may only hold printable ASCII characters, spaces and tabs`)
  }
  const level = String(values.LOG_LEVEL).toUpperCase()
  if (!isLogLevel(level)) {
    return fail(`${origin("LOG_LEVEL")}: LOG_LEVEL ${JSON.stringify(values.LOG_LEVEL)} is not one of ${logLevelNames.join(", ")}`)
  }
  return Either.all([
    checkRange(values, "PORT", 0, 65535, origin("PORT")),
    checkRange(values, "STATSD_PORT", 1, 65535, origin("STATSD_PORT")),
    checkRange(values, "WORKERS", 1, 256, origin("WORKERS")),
    checkRange(values, "RELOAD_INTERVAL", 0, 86400, origin("RELOAD_INTERVAL")),
    checkRange(values, "RESPONSE_CACHE_MB", 0, 65536, origin("RESPONSE_CACHE_MB")),
    checkRange(values, "CHANGES_RETENTION", 0, 1_000_000, origin("CHANGES_RETENTION")),
    checkRange(values, "HEADERS_TIMEOUT", 1, 3600, origin("HEADERS_TIMEOUT")),
    checkRange(values, "KEEP_ALIVE_TIMEOUT", 1, 3600, origin("KEEP_ALIVE_TIMEOUT"))
  ]).pipe(
    Either.map(() => ({
      ...(values as unknown as Settings),
      LOG_LEVEL: level,
      DATABASE_URL: String(values.DATABASE_URL).replaceAll("{TMPDIR}", tmpdir())
    }))
  )
}

/**
 * Merges the embedded defaults, the `AVALON_CONFIG` file, `AVALON_*` environment variables and command flags,
 * in increasing precedence, and validates the result.
 */
export const loadSettings = (sources: SettingsSources): Either.Either<Settings, ConfigError> =>
  Either.gen(function* () {
    const defaults = yield* fromToml(yield* parseToml(sources.defaultsText, "embedded configuration"), "embedded configuration")
    const file = sources.file === undefined
      ? {}
      : yield* fromToml(yield* parseToml(sources.file.text, sources.file.path), sources.file.path)
    const env = yield* fromEnv(sources.env)
    const flags: Values = {}
    for (const [name, value] of Object.entries(sources.flags ?? {})) if (value !== undefined) flags[name] = value
    const origin = (name: SettingName) =>
      Object.hasOwn(flags, name) ? "command line"
      : Object.hasOwn(env, name) ? `environment variable AVALON_${name}`
      : Object.hasOwn(file, name) ? sources.file!.path
      : "embedded configuration"
    return yield* validate({ ...defaults, ...file, ...env, ...flags }, origin)
  })
