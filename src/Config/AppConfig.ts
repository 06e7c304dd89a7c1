import { readFileSync } from "node:fs"
import { Context, Effect, Either, Layer } from "effect"
import { ConfigError } from "./ConfigError.js"
import { defaultConfigText } from "./DefaultConfigText.js"
import { loadSettings } from "./loadSettings.js"
import type { Settings } from "./Settings.js"

/** The resolved settings; read once at start-up, everyone else asks for this service. */
export class AppConfig extends Context.Tag("avalon/AppConfig")<AppConfig, Settings>() {}

const readConfigFile = (path: string): Either.Either<{ path: string; text: string }, ConfigError> => {
  try {
    return Either.right({ path, text: readFileSync(path, "utf8") })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === "ENOENT" ? "no such file"
      : code === "EACCES" ? "permission denied"
      : code === "EISDIR" ? "is a folder, not a file"
      : (error as Error).message
    return Either.left(new ConfigError({ message: `AVALON_CONFIG file ${path} cannot be read: ${reason}` }))
  }
}

export const resolveSettings = (
  env: Readonly<Record<string, string | undefined>>,
  flags: Partial<Settings> = {}
): Either.Either<Settings, ConfigError> => {
  const configPath = env.AVALON_CONFIG
  const file = configPath === undefined || configPath === "" ? Either.right(undefined) : readConfigFile(configPath)
  return Either.flatMap(file, (file) =>
    loadSettings({ defaultsText: defaultConfigText, env, flags, ...(file === undefined ? {} : { file }) }))
}

export const AppConfigLive = (flags: Partial<Settings> = {}): Layer.Layer<AppConfig, ConfigError> =>
  Layer.effect(AppConfig, Effect.suspend(() => resolveSettings(process.env, flags)))
