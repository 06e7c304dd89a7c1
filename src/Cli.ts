import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { AppConfig } from "./Config/AppConfig.js"
import { defaultConfigText } from "./Config/DefaultConfigText.js"

// Each command's implementation is imported when it runs, so `--help` and `--version` load neither database
// drivers nor the tag reader.
const serve = Effect.flatMap(Effect.promise(() => import("./Http/serve.js")), (module) => module.serve)
const scanCollection = (options: import("./Scan/scanCollection.js").ScanOptions) =>
  Effect.flatMap(Effect.promise(() => import("./Scan/scanCollection.js")), (module) => module.scanCollection(options))

export const hostOption = Options.text("host").pipe(
  Options.withDescription("Address to listen on (overrides HOST)"),
  Options.optional
)
export const portOption = Options.integer("port").pipe(
  Options.withAlias("p"),
  Options.withDescription("Port to listen on, 0 for any free port (overrides PORT)"),
  Options.optional
)
export const workersOption = Options.integer("workers").pipe(
  Options.withAlias("w"),
  Options.withDescription("Number of worker processes sharing the port (overrides WORKERS)"),
  Options.optional
)

export const serveCommand = Command.make("serve", { host: hostOption, port: portOption, workers: workersOption }, () => serve).pipe(
  Command.withDescription("Load the collection from the database into memory and serve the JSON API")
)

export const databaseOption = Options.text("database").pipe(
  Options.withAlias("d"),
  Options.withDescription("Database URL, e.g. sqlite:////var/db/avalon.sqlite or postgresql://user:password@host/db (overrides DATABASE_URL)"),
  Options.optional
)
export const quietOption = Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("Print nothing but errors"))
export const fullOption = Options.boolean("full").pipe(Options.withDescription("Re-read the tags of every file, ignoring what the last scan remembered"))
export const collectionArg = Args.text({ name: "collection dir" }).pipe(Args.withDescription("Folder holding the music collection"))

export const scanCommand = Command.make(
  "scan",
  { database: databaseOption, quiet: quietOption, full: fullOption, root: collectionArg },
  ({ full, quiet, root }) =>
    Effect.flatMap(AppConfig, ({ CHANGES_RETENTION }) => scanCollection({ root, full, quiet, changesRetention: CHANGES_RETENTION }))
).pipe(Command.withDescription("Read the tags of every audio file under a folder into the database"))

export const echoConfigCommand = Command.make("echo-config", {}, () => Effect.sync(() => process.stdout.write(defaultConfigText))).pipe(
  Command.withDescription("Print the embedded default configuration file, to copy and edit")
)

export const optionalFlag = <A>(option: Option.Option<A>): A | undefined => Option.getOrUndefined(option)
