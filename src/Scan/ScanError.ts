import { Data } from "effect"

/** The collection folder cannot be scanned at all (missing, not a folder, unreadable); one clear line. */
export class ScanError extends Data.TaggedError("ScanError")<{ readonly message: string }> {}
