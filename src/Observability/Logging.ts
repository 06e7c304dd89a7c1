import { Effect, HashMap, Layer, Logger, LogLevel } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { ConfigError } from "../Config/ConfigError.js"
import type { LogLevelName, Settings } from "../Config/Settings.js"
import { compileLogFormat, type LogLineSettings } from "./formatLogLine.js"
import { type LogSink, openLogSink } from "./LogSink.js"
import { makeRedactor, redactSecrets, urlSecrets } from "./redactSecrets.js"

const levels: Readonly<Record<LogLevelName, LogLevel.LogLevel>> = {
  DEBUG: LogLevel.Debug,
  INFO: LogLevel.Info,
  WARN: LogLevel.Warning,
  ERROR: LogLevel.Error,
  CRITICAL: LogLevel.Fatal
}

export const logLevelFor = (name: LogLevelName): LogLevel.LogLevel => levels[name]

/** An Effect logger writing formatted, secret-masked lines to a sink; it never throws. */
export const makeLogger = (
  settings: LogLineSettings,
  sink: LogSink,
  redact: (line: string) => string = redactSecrets
): Logger.Logger<unknown, void> => {
  const { format } = compileLogFormat(settings, redact)
  return Logger.make(({ annotations, cause, date, logLevel, message }) => {
    try {
      sink.write(format({
        level: logLevel,
        message,
        date,
        cause,
        annotations: HashMap.size(annotations) === 0 ? {} : Object.fromEntries(annotations)
      }))
    } catch {
      sink.write(`[${date.toISOString()}] [${process.pid}] [${logLevel.label}] (log line could not be formatted)`)
    }
  })
}

/** The logger, level and sink of these settings, as a scoped layer; the log file is closed with the scope. */
export const makeLoggingLayer = (settings: Settings): Layer.Layer<never, ConfigError> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const { problems } = compileLogFormat(settings)
    if (problems.length > 0) return yield* new ConfigError({ message: problems.join("; ") })
    const sink = yield* Effect.acquireRelease(openLogSink(settings.LOG_PATH), (sink) => Effect.sync(sink.close))
    const redact = makeRedactor(urlSecrets([settings.SENTRY_DSN, settings.DATABASE_URL]))
    // sequential on purpose: with Layer.merge the loggers FiberRef is not restored when the layer is released
    return Logger.replace(Logger.defaultLogger, makeLogger(settings, sink, redact)).pipe(
      Layer.provide(Logger.minimumLogLevel(logLevelFor(settings.LOG_LEVEL)))
    )
  }))

export const LoggingLive: Layer.Layer<never, ConfigError, AppConfig> = Layer.unwrapEffect(Effect.map(AppConfig, makeLoggingLayer))
