import { Data } from "effect"

export class ListenError extends Data.TaggedError("ListenError")<{ readonly message: string }> {}
