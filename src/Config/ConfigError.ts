import { Data } from "effect"

/** A configuration problem the user must fix; rendered as one line, exit code 2. */
export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}
