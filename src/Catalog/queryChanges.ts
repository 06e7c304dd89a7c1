import { Either } from "effect"
import { FullSyncRequired, InvalidParameterType, InvalidParameterValue, type QueryError } from "./ApiError.js"
import { type ChangeFeed, renderChanges } from "./ChangeFeed.js"
import { parsePythonInt } from "./parsePythonInt.js"

/**
 * Answers `changes?since=<generation>`: the ids added, changed and removed since that scan generation. `since`
 * is required and parsed like the other integers; a generation the feed cannot answer from is 410, telling the
 * client to download everything again.
 */
export const queryChanges = (
  feed: ChangeFeed,
  params: ReadonlyMap<string, string>
): Either.Either<Buffer, QueryError | FullSyncRequired> => {
  const raw = params.get("since")
  if (raw === undefined) return Either.left(InvalidParameterValue.required("since"))
  const since = parsePythonInt(raw)
  if (since === undefined) return Either.left(InvalidParameterType.integer("since", raw))
  if (since < 0n) return Either.left(InvalidParameterValue.negative("since", since))
  if (since < BigInt(feed.oldest) || since > BigInt(feed.generation)) {
    return Either.left(FullSyncRequired.since(since, feed.oldest, feed.generation))
  }
  return Either.right(renderChanges(feed, Number(since)))
}
