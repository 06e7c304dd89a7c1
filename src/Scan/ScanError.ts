import { Data } from "effect"

/** The collection folder cannot be scanned at all (missing, not a folder, unreadable); one clear line. */
export class ScanError extends Data.TaggedError("ScanError")<{ readonly message: string }> {}

/** What an interrupted scan prints last (it never changes the collection: everything is written in one transaction). */
export const scanInterruptedLine = "avalon: scan interrupted; the previous collection is unchanged\n"
