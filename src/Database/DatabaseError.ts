import { Data } from "effect"

/** A database problem the user can act on (bad URL, unreachable server, permission denied); one clear line. */
export class DatabaseError extends Data.TaggedError("DatabaseError")<{ readonly message: string; readonly cause?: unknown }> {}
