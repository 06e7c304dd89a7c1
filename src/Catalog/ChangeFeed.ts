import { type ChangeKind, type ChangeLog, type ChangeRow, type EntityKind, entityKinds } from "../Domain/CollectionChanges.js"

const codes: { readonly [K in ChangeKind]: number } = { added: 0, changed: 1, removed: 2 }

/** Every change of one kind of entity in the log, grouped by id (ids in ascending order, each id's changes by generation). */
type History = {
  /** Each id as a JSON string, ready to write. */
  readonly quotedIds: ReadonlyArray<string>
  /** The changes of id `i` are at `starts[i] .. starts[i + 1] - 1`. */
  readonly starts: Int32Array
  readonly generations: Int32Array
  readonly changes: Uint8Array
}

/** The change log as loaded with a catalog: answers `changes?since=` for any `since` from `oldest` to `generation`. */
export type ChangeFeed = {
  readonly generation: number
  readonly oldest: number
  readonly histories: { readonly [K in EntityKind]: History }
  /** Answers already rendered, by `since`, within a byte budget (the feed never changes, so they never go stale). */
  readonly rendered: { bytes: number; readonly bodies: Map<number, Buffer> }
}

const renderedBudget = 16 * 1024 * 1024

/** Groups one kind's changes by id: one sort by id, then generation, and a walk. */
const buildHistory = (rows: ReadonlyArray<ChangeRow>): History => {
  const order = Array.from(rows.keys()).sort((a, b) => {
    const x = rows[a]!
    const y = rows[b]!
    return x.id < y.id ? -1 : x.id > y.id ? 1 : x.generation - y.generation
  })
  const quotedIds: Array<string> = []
  const starts: Array<number> = []
  const generations = new Int32Array(order.length)
  const changes = new Uint8Array(order.length)
  let id: string | undefined
  for (let k = 0; k < order.length; k++) {
    const row = rows[order[k]!]!
    if (row.id !== id) {
      id = row.id
      quotedIds.push(JSON.stringify(id))
      starts.push(k)
    }
    generations[k] = row.generation
    changes[k] = codes[row.change]
  }
  starts.push(order.length)
  return { quotedIds, starts: Int32Array.from(starts), generations, changes }
}

/**
 * Groups the log by entity once per load. Without a log (a database from before it existed) only the current
 * generation can be asked for, and nothing changed since then.
 */
export const buildChangeFeed = (log: ChangeLog | undefined, generation: number): ChangeFeed => {
  const oldest = log === undefined ? generation : Math.min(log.oldest, generation)
  const byKind = new Map<EntityKind, Array<ChangeRow>>(entityKinds.map((kind) => [kind, []]))
  for (const row of log?.rows ?? []) {
    if (row.generation > oldest && row.generation <= generation) byKind.get(row.entity)!.push(row)
  }
  return {
    generation,
    oldest,
    histories: {
      songs: buildHistory(byKind.get("songs")!),
      albums: buildHistory(byKind.get("albums")!),
      artists: buildHistory(byKind.get("artists")!),
      genres: buildHistory(byKind.get("genres")!)
    },
    rendered: { bytes: 0, bodies: new Map() }
  }
}

/**
 * The net change of each id between `since` and now, as JSON lists: whether it existed at `since` follows from
 * its first change after it (anything but "added" means it did), whether it exists now from its last change.
 * Existing at both ends is "changed" (even if it was removed and added back in between); existing at neither
 * (added, then removed) is nothing.
 */
const renderHistory = (history: History, since: number): string => {
  const { changes, generations, quotedIds, starts } = history
  const added: Array<string> = []
  const changed: Array<string> = []
  const removed: Array<string> = []
  for (let i = 0; i < quotedIds.length; i++) {
    const last = starts[i + 1]! - 1
    if (generations[last]! <= since) continue
    let first = starts[i]!
    while (generations[first]! <= since) first++
    const existed = changes[first] !== codes.added
    const exists = changes[last] !== codes.removed
    if (existed && exists) changed.push(quotedIds[i]!)
    else if (exists) added.push(quotedIds[i]!)
    else if (existed) removed.push(quotedIds[i]!)
  }
  return `{"added":[${added.join(",")}],"changed":[${changed.join(",")}],"removed":[${removed.join(",")}]}`
}

/** The success envelope for a valid `since` (`oldest <= since <= generation`). */
export const renderChanges = (feed: ChangeFeed, since: number): Buffer => {
  const cached = feed.rendered.bodies.get(since)
  if (cached !== undefined) return cached
  const { albums, artists, genres, songs } = feed.histories
  const body = Buffer.from(
    `{"success":{"generation":${feed.generation},"since":${since},"songs":${renderHistory(songs, since)},"albums":${
      renderHistory(albums, since)
    },"artists":${renderHistory(artists, since)},"genres":${renderHistory(genres, since)}},"errors":[],"warnings":[]}`
  )
  if (feed.rendered.bytes + body.length <= renderedBudget) {
    feed.rendered.bytes += body.length
    feed.rendered.bodies.set(since, body)
  }
  return body
}
