import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { echoConfigCommand, scanCommand, serveCommand } from "./Cli.js"
import { keepWorkersDraining } from "./Cluster/keepWorkersDraining.js"
import { AppConfigLive } from "./Config/AppConfig.js"
import type { Settings } from "./Config/Settings.js"
import { redactSecrets } from "./Observability/redactSecrets.js"
import { ErrorReporterLive } from "./Observability/ErrorReporter.js"
import { LoggingLive } from "./Observability/Logging.js"
import { TracingLive } from "./Observability/Tracing.js"
import { version } from "./Version.js"

const flags = (entries: Partial<Record<keyof Settings, Option.Option<string | number>>>): Partial<Settings> =>
  Object.fromEntries(Object.entries(entries).flatMap(([name, value]) => (Option.isSome(value) ? [[name, value.value]] : [])))

const DatabaseLive = Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./Database/DatabaseLive.js")), (module) => module.DatabaseLive))
const MetricsLive = Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./Observability/Statsd.js")), (module) => module.MetricsLive))

const withSettings = (settings: Partial<Settings>) => {
  const config = AppConfigLive(settings)
  return Layer.mergeAll(LoggingLive, DatabaseLive).pipe(Layer.provideMerge(config))
}

const serve = serveCommand.pipe(
  Command.provide(({ host, port, workers }) =>
    Layer.mergeAll(MetricsLive, ErrorReporterLive, TracingLive).pipe(
      Layer.provideMerge(withSettings(flags({ HOST: host, PORT: port, WORKERS: workers })))
    ))
)

const scan = scanCommand.pipe(Command.provide(({ database }) => withSettings(flags({ DATABASE_URL: database }))))

const avalon = Command.make("avalon").pipe(
  Command.withDescription("Avalon music server: scan a collection's tags into a database, serve them as a JSON API"),
  Command.withSubcommands([serve, scan, echoConfigCommand])
)

const cli = Command.run(avalon, { name: "avalon", version })

/** User errors are one line and an exit code, never a stack trace: 2 for configuration/usage, 1 otherwise. */
const fail = (code: number, message: string) =>
  Effect.sync(() => {
    process.stderr.write(`avalon: ${redactSecrets(message)}\n`)
    process.exitCode = code
  })

keepWorkersDraining()

const argv = process.argv.map((arg, index) => (index >= 2 && arg === "-V" ? "--version" : arg))

cli(argv).pipe(
  Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => { process.exitCode = 2 })),
  Effect.catchTags({
    ConfigError: (error) => fail(2, error.message),
    DatabaseError: (error) => fail(1, error.message),
    ScanError: (error) => fail(1, error.message),
    ListenError: (error) => fail(1, error.message)
  }),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disablePrettyLogger: true,
    // A code set on the way out (2 for usage, 130 for an interrupted scan) wins over "interrupted means success".
    teardown: (exit, onExit) => {
      const requested = typeof process.exitCode === "number" ? process.exitCode : 0
      onExit(requested !== 0 ? requested : Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : 0)
    }
  })
)
