export const logLevelNames = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"] as const
export type LogLevelName = (typeof logLevelNames)[number]

/** Every setting of operations.md, by its configuration name. Empty strings mean "not set". */
export type Settings = {
  readonly DATABASE_URL: string
  readonly REQUEST_PATH: string
  /** The Cache-Control header of list answers; empty sends none. */
  readonly CACHE_CONTROL: string
  readonly LOG_LEVEL: LogLevelName
  readonly LOG_PATH: string
  readonly LOG_FORMAT: string
  readonly LOG_DATE_FORMAT: string
  readonly SENTRY_DSN: string
  readonly STATSD_HOST: string
  readonly STATSD_PORT: number
  readonly STATSD_PREFIX: string
  readonly OTLP_TRACES_URL: string
  readonly HOST: string
  readonly PORT: number
  readonly WORKERS: number
  /** Seconds between checks of the database's scan generation; 0 turns polling off. */
  readonly RELOAD_INTERVAL: number
  /** Budget of the per-catalog cache of computed answers, in megabytes; 0 turns it off. */
  readonly RESPONSE_CACHE_MB: number
  /** How many scan generations of changes `avalon scan` keeps for `changes?since=`; 0 keeps none. */
  readonly CHANGES_RETENTION: number
  /** Seconds a client has to send a request: from connecting, or on a kept-alive connection from its first byte. */
  readonly HEADERS_TIMEOUT: number
  /** Seconds an idle kept-alive connection stays open after an answer. */
  readonly KEEP_ALIVE_TIMEOUT: number
}

export type SettingName = keyof Settings
