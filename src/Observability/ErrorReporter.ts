import { Cause, Effect, Layer } from "effect"
import { AppConfig } from "../Config/AppConfig.js"
import { ConfigError } from "../Config/ConfigError.js"
import { version } from "../Version.js"
import { redactSecrets } from "./redactSecrets.js"

type SentryModule = typeof import("@sentry/node")

export type ErrorReporterShape = {
  /** Reports an unexpected error (an Error, any thrown value, or an Effect Cause); never throws. */
  readonly capture: (error: unknown, context?: Readonly<Record<string, string>>) => void
  /** Waits (at most 2 s) until captured errors are sent; never rejects. */
  readonly flush: () => Promise<void>
}

const disabled: ErrorReporterShape = { capture: () => {}, flush: () => Promise.resolve() }

let sentryImports = 0

/** How many times @sentry/node was imported by this module (it is only loaded when SENTRY_DSN is set). */
export const sentryImportCount = (): number => sentryImports

const importSentry = (): Promise<SentryModule> => {
  sentryImports++
  return import("@sentry/node")
}

const dsnPattern = /^(\w+):\/\/(\w+)(?::(\w*))?@((?:\[[:.%\w]+\]|[\w.-]+))(?::(\d+))?\/(.+)$/

/** Why a DSN is unusable (the same rules as @sentry/core, which would print the key), or undefined when it is fine. */
export const sentryDsnProblem = (dsn: string): string | undefined => {
  const match = dsnPattern.exec(dsn.trim())
  if (match === null) return "expected http(s)://<public key>@<host>[:<port>]/<project id>"
  const [, protocol = "", , , , , path = ""] = match
  if (protocol !== "http" && protocol !== "https") return `the scheme must be http or https, not ${protocol}`
  if (!/^\d+$/.test(path.split("/").pop() ?? "")) return "the path must end with a numeric project id"
  return undefined
}

const flushTimeout = 2000

const reporter = (Sentry: SentryModule): ErrorReporterShape => ({
  capture: (error, context) => {
    try {
      const exception = Cause.isCause(error) ? Cause.squash(error) : error
      const extra: Record<string, string> = {}
      for (const [key, value] of Object.entries(context ?? {})) extra[key] = redactSecrets(value)
      if (Cause.isCause(error)) extra.cause = redactSecrets(Cause.pretty(error))
      Sentry.captureException(exception, { extra })
    } catch {
      // reporting must never break the caller
    }
  },
  flush: () => Sentry.flush(flushTimeout).then(() => undefined, () => undefined)
})

const startSentry = (dsn: string) =>
  Effect.gen(function*() {
    const Sentry = yield* Effect.promise(importSentry)
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        Sentry.init({
          dsn,
          release: `avalon@${version}`,
          dataCollection: { userInfo: false },
          sendClientReports: false,
          enableOpenTelemetrySetup: false,
          defaultIntegrations: [
            Sentry.eventFiltersIntegration(),
            Sentry.functionToStringIntegration(),
            Sentry.linkedErrorsIntegration(),
            Sentry.dedupeIntegration(),
            Sentry.nodeContextIntegration(),
            Sentry.onUncaughtExceptionIntegration(),
            Sentry.onUnhandledRejectionIntegration({ mode: "strict" })
          ],
          beforeSend: (event) => {
            for (const exception of event.exception?.values ?? []) {
              if (exception.value !== undefined) exception.value = redactSecrets(exception.value)
            }
            if (event.message !== undefined) event.message = redactSecrets(event.message)
            return event
          }
        })
      ),
      () => Effect.promise(() => Sentry.close(flushTimeout).then(() => undefined, () => undefined))
    )
    return reporter(Sentry)
  })

export class ErrorReporter extends Effect.Service<ErrorReporter>()("avalon/ErrorReporter", {
  scoped: Effect.gen(function*() {
    const { SENTRY_DSN } = yield* AppConfig
    if (SENTRY_DSN === "") return disabled
    const problem = sentryDsnProblem(SENTRY_DSN)
    if (problem !== undefined) {
      return yield* new ConfigError({ message: `SENTRY_DSN is not a valid Sentry DSN: ${problem}` })
    }
    return yield* startSentry(SENTRY_DSN.trim())
  })
}) {}

export const ErrorReporterLive: Layer.Layer<ErrorReporter, ConfigError, AppConfig> = ErrorReporter.Default

export const ErrorReporterNoop: Layer.Layer<ErrorReporter> = Layer.succeed(ErrorReporter, ErrorReporter.make(disabled))
