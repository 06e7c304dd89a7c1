import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { tmpdir } from "node:os"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { resolveSettings } from "../../src/Config/AppConfig.js"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings, settingNames } from "../../src/Config/loadSettings.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const load = (options: { file?: string; env?: Record<string, string>; flags?: Parameters<typeof loadSettings>[0]["flags"] }) =>
  loadSettings({
    defaultsText: defaultConfigText,
    env: options.env ?? {},
    ...(options.file === undefined ? {} : { file: { path: "/etc/avalon.toml", text: options.file } }),
    ...(options.flags === undefined ? {} : { flags: options.flags })
  })

const settingsOf = (result: ReturnType<typeof load>) => Either.getOrThrow(result)
const errorOf = (result: ReturnType<typeof load>) => Either.isLeft(result) ? result.left.message : "no error"

describe("defaults", () => {
  it("come from the embedded file and cover every setting of operations.md", () => {
    const settings = settingsOf(load({}))
    expect(settings).toEqual({
      DATABASE_URL: `sqlite:///${tmpdir()}/avalon.sqlite`,
      REQUEST_PATH: "/avalon",
      CACHE_CONTROL: "no-cache",
      LOG_LEVEL: "INFO",
      LOG_PATH: "",
      LOG_FORMAT: "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
      LOG_DATE_FORMAT: "%Y-%m-%dT%H:%M:%S",
      SENTRY_DSN: "",
      STATSD_HOST: "localhost",
      STATSD_PORT: 8125,
      STATSD_PREFIX: "avalon",
      OTLP_TRACES_URL: "",
      HOST: "127.0.0.1",
      PORT: 8000,
      WORKERS: 1,
      RELOAD_INTERVAL: 5,
      RESPONSE_CACHE_MB: 32,
      CHANGES_RETENTION: 100,
      HEADERS_TIMEOUT: 10,
      KEEP_ALIVE_TIMEOUT: 5
    })
    expect(Object.keys(settings).sort()).toEqual([...settingNames].sort())
  })

  it("are commented in the file like the original's settings file", () => {
    for (const name of settingNames) expect(defaultConfigText).toMatch(new RegExp(`#[^\\n]*\\n(?:[A-Z_]+ = [^\\n]*\\n)*${name} = `))
  })
})

describe("precedence: defaults < AVALON_CONFIG file < AVALON_* environment < flags", () => {
  it("lets a file override only what it names", () => {
    const settings = settingsOf(load({ file: "PORT = 9000\nREQUEST_PATH = \"/api/music\"\n" }))
    expect(settings.PORT).toBe(9000)
    expect(settings.REQUEST_PATH).toBe("/api/music")
    expect(settings.HOST).toBe("127.0.0.1")
  })

  it("lets the environment override the file", () => {
    const settings = settingsOf(load({ file: "PORT = 9000\nHOST = \"0.0.0.0\"", env: { AVALON_PORT: "9100", AVALON_DATABASE_URL: "postgresql://x@y/z" } }))
    expect(settings.PORT).toBe(9100)
    expect(settings.HOST).toBe("0.0.0.0")
    expect(settings.DATABASE_URL).toBe("postgresql://x@y/z")
  })

  it("lets flags override everything", () => {
    const settings = settingsOf(load({ file: "PORT = 9000", env: { AVALON_PORT: "9100" }, flags: { PORT: 9200, HOST: "::1" } }))
    expect(settings.PORT).toBe(9200)
    expect(settings.HOST).toBe("::1")
  })

  it("ignores unrelated environment variables", () => {
    expect(settingsOf(load({ env: { AVALON_CONFIG: "/x", PORT: "1", AVALON_NOPE: "1" } })).PORT).toBe(8000)
  })

  it("accepts log levels in any case", () => {
    expect(settingsOf(load({ env: { AVALON_LOG_LEVEL: "debug" } })).LOG_LEVEL).toBe("DEBUG")
  })
})

describe("bad configuration is one clear line", () => {
  it.each([
    [{ file: "PORT = 80\nPORT = 81" }, /^\/etc\/avalon\.toml: syntax error on line 2: /],
    [{ file: "PORT = \n" }, /^\/etc\/avalon\.toml: syntax error on line 1: /],
    [{ file: "DATABSE_URL = \"sqlite://\"" }, /^\/etc\/avalon\.toml: unknown setting DATABSE_URL \(known settings: DATABASE_URL, /],
    [{ file: "STATSD_PORT = \"x\"" }, /^\/etc\/avalon\.toml: setting STATSD_PORT must be an integer, not the string "x"$/],
    [{ file: "LOG_PATH = 3" }, /^\/etc\/avalon\.toml: setting LOG_PATH must be a string, not 3 \(number\)$/],
    [{ file: "PORT = 1.5" }, /^\/etc\/avalon\.toml: setting PORT must be an integer/],
    [{ file: "REQUEST_PATH = \"avalon\"" }, /^\/etc\/avalon\.toml: REQUEST_PATH "avalon" must begin with "\/"$/],
    [{ file: "REQUEST_PATH = \"/avalon/\"" }, /^\/etc\/avalon\.toml: REQUEST_PATH "\/avalon\/" may not end with "\/"$/],
    [{ env: { AVALON_REQUEST_PATH: "/a/" } }, /^environment variable AVALON_REQUEST_PATH: REQUEST_PATH "\/a\/" may not end with "\/"$/],
    [{ file: "LOG_LEVEL = \"LOUD\"" }, /^\/etc\/avalon\.toml: LOG_LEVEL "LOUD" is not one of DEBUG, INFO, WARN, ERROR, CRITICAL$/],
    [{ env: { AVALON_STATSD_PORT: "x" } }, /^environment variable AVALON_STATSD_PORT must be an integer, not "x"$/],
    [{ env: { AVALON_PORT: "70000" } }, /^environment variable AVALON_PORT: setting PORT must be between 0 and 65535, not 70000$/],
    [{ flags: { WORKERS: 0 } }, /^command line: setting WORKERS must be between 1 and 256, not 0$/],
    [{ env: { AVALON_RELOAD_INTERVAL: "-1" } }, /^environment variable AVALON_RELOAD_INTERVAL: setting RELOAD_INTERVAL must be between 0 and 86400, not -1$/],
    [{ file: "CHANGES_RETENTION = -1" }, /^\/etc\/avalon\.toml: setting CHANGES_RETENTION must be between 0 and 1000000, not -1$/],
    [{ env: { AVALON_KEEP_ALIVE_TIMEOUT: "0" } }, /^environment variable AVALON_KEEP_ALIVE_TIMEOUT: setting KEEP_ALIVE_TIMEOUT must be between 1 and 3600, not 0$/],
    [{ file: "HEADERS_TIMEOUT = 0" }, /^\/etc\/avalon\.toml: setting HEADERS_TIMEOUT must be between 1 and 3600, not 0$/],
    [{ env: { AVALON_CACHE_CONTROL: "no-cache\r\nx-evil: 1" } }, /^environment variable AVALON_CACHE_CONTROL: CACHE_CONTROL "no-cache\\r\\nx-evil: 1" may only hold printable ASCII characters, spaces and tabs$/],
    [{ file: "CACHE_CONTROL = \"max-age=60, caf\u00e9\"" }, /^\/etc\/avalon\.toml: CACHE_CONTROL "max-age=60, café" may only hold printable ASCII/]
  ])("%o", (input, expected) => {
    expect(errorOf(load(input))).toMatch(expected)
  })

  it("accepts any Cache-Control value, and an empty one", () => {
    expect(settingsOf(load({ file: "CACHE_CONTROL = \"public, max-age=60\"" })).CACHE_CONTROL).toBe("public, max-age=60")
    expect(settingsOf(load({ env: { AVALON_CACHE_CONTROL: "" } })).CACHE_CONTROL).toBe("")
  })

  it("accepts REQUEST_PATH / and nested paths", () => {
    expect(settingsOf(load({ file: "REQUEST_PATH = \"/\"" })).REQUEST_PATH).toBe("/")
    expect(settingsOf(load({ file: "REQUEST_PATH = \"/api/music\"" })).REQUEST_PATH).toBe("/api/music")
  })
})

describe("the AVALON_CONFIG file", () => {
  const folder = makeTemporaryFolder()

  it("is read from the path in the environment", () => {
    const path = join(folder.path, "my.toml")
    writeFileSync(path, "PORT = 8123\n")
    expect(Either.getOrThrow(resolveSettings({ AVALON_CONFIG: path })).PORT).toBe(8123)
  })

  it("names a missing file", () => {
    const path = join(folder.path, "missing.toml")
    const result = resolveSettings({ AVALON_CONFIG: path })
    expect(Either.isLeft(result) && result.left.message).toBe(`AVALON_CONFIG file ${path} cannot be read: no such file`)
  })

  it("names a folder given as the file", () => {
    const result = resolveSettings({ AVALON_CONFIG: folder.path })
    expect(Either.isLeft(result) && result.left.message).toBe(`AVALON_CONFIG file ${folder.path} cannot be read: is a folder, not a file`)
  })

  it("accepts a copy of the defaults as it is", () => {
    const path = join(folder.path, "copy.toml")
    writeFileSync(path, defaultConfigText)
    expect(Either.getOrThrow(resolveSettings({ AVALON_CONFIG: path }))).toEqual(settingsOf(load({})))
  })
})
