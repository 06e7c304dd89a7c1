import { describe, expect, it } from "vitest"
import { Either } from "effect"
import { renderErrorEnvelope } from "../../src/Catalog/ApiError.js"
import { buildChangeFeed, type ChangeFeed } from "../../src/Catalog/ChangeFeed.js"
import { queryChanges } from "../../src/Catalog/queryChanges.js"
import { type ChangeRow, type EntityKind, entityKinds } from "../../src/Domain/CollectionChanges.js"
import { seededRandom } from "../support/seededRandom.js"

type Lists = { added: Array<string>; changed: Array<string>; removed: Array<string> }
type Answer = { generation: number; since: number } & Record<EntityKind, Lists>

const answer = (feed: ChangeFeed, since: string): Answer => {
  const result = queryChanges(feed, new Map([["since", since]]))
  if (Either.isLeft(result)) throw new Error(result.left.message)
  const body = JSON.parse(result.right.toString()) as { success: Answer; errors: []; warnings: [] }
  expect(body.errors).toEqual([])
  expect(body.warnings).toEqual([])
  return body.success
}

const error = (feed: ChangeFeed, params: Record<string, string>) => {
  const result = queryChanges(feed, new Map(Object.entries(params)))
  if (Either.isRight(result)) throw new Error("expected an error")
  const { body, status } = renderErrorEnvelope(result.left)
  return { status, ...(JSON.parse(body) as { errors: Array<unknown> }).errors[0] as object }
}

const row = (generation: number, entity: EntityKind, id: string, change: ChangeRow["change"]): ChangeRow => ({ generation, entity, id, change })

const none: Lists = { added: [], changed: [], removed: [] }

describe("the change feed merges generations", () => {
  // Generation 3 starts the log (nothing known before it); 4, 5 and 6 follow.
  const feed = buildChangeFeed({
    oldest: 3,
    rows: [
      row(4, "songs", "a", "added"),
      row(5, "songs", "a", "changed"),
      row(4, "songs", "b", "added"),
      row(6, "songs", "b", "removed"),
      row(4, "songs", "c", "removed"),
      row(6, "songs", "c", "added"),
      row(5, "songs", "d", "changed"),
      row(6, "songs", "d", "changed"),
      row(6, "albums", "x", "changed"),
      row(5, "genres", "g", "removed"),
      row(3, "songs", "too-old", "added"),
      row(7, "songs", "from-a-later-scan", "added")
    ]
  }, 6)

  it("lists each id once with its net change since the generation asked for", () => {
    expect(answer(feed, "3")).toEqual({
      generation: 6,
      since: 3,
      songs: { added: ["a"], changed: ["c", "d"], removed: [] },
      albums: { added: [], changed: ["x"], removed: [] },
      artists: none,
      genres: { added: [], changed: [], removed: ["g"] }
    })
    expect(answer(feed, "4")).toMatchObject({ since: 4, songs: { added: ["c"], changed: ["a", "d"], removed: ["b"] } })
    expect(answer(feed, "5")).toMatchObject({ songs: { added: ["c"], changed: ["d"], removed: ["b"] }, genres: none })
    expect(answer(feed, "6")).toEqual({ generation: 6, since: 6, songs: none, albums: none, artists: none, genres: none })
  })

  it("answers the same bytes again (from its cache)", () => {
    const first = queryChanges(feed, new Map([["since", "4"]]))
    const second = queryChanges(feed, new Map([["since", " 4 "]]))
    expect(Either.isRight(first) && Either.isRight(second) && first.right.equals(second.right)).toBe(true)
  })

  it("agrees with the difference of the two collections, on random histories", () => {
    const random = seededRandom(11)
    let version = 0
    for (let round = 0; round < 100; round++) {
      // Each collection maps an id to the version of its row; every add or change makes a new version.
      const collections: Array<Record<EntityKind, Map<string, number>>> = [
        { songs: new Map(), albums: new Map(), artists: new Map(), genres: new Map() }
      ]
      const rows: Array<ChangeRow> = []
      const generations = 1 + random(8)
      for (let generation = 1; generation <= generations; generation++) {
        const before = collections[generation - 1]!
        const after = { songs: new Map(before.songs), albums: new Map(before.albums), artists: new Map(before.artists), genres: new Map(before.genres) }
        for (const kind of entityKinds) {
          for (let id = 0; id < 6; id++) {
            const key = `${kind}-${id}`
            const roll = random(5)
            if (roll === 0 && !after[kind].has(key)) (after[kind].set(key, ++version), rows.push(row(generation, kind, key, "added")))
            else if (roll === 1 && after[kind].has(key)) (after[kind].set(key, ++version), rows.push(row(generation, kind, key, "changed")))
            else if (roll === 2 && after[kind].has(key)) (after[kind].delete(key), rows.push(row(generation, kind, key, "removed")))
          }
        }
        collections.push(after)
      }
      const oldest = random(generations + 1)
      const feed = buildChangeFeed({ oldest, rows: rows.filter((change) => change.generation > oldest) }, generations)
      for (let since = oldest; since <= generations; since++) {
        const got = answer(feed, String(since))
        for (const kind of entityKinds) {
          const then = collections[since]![kind]
          const now = collections[generations]![kind]
          expect(got[kind]).toEqual({
            added: [...now.keys()].filter((id) => !then.has(id)).sort(),
            changed: [...now.keys()].filter((id) => then.has(id) && then.get(id) !== now.get(id)).sort(),
            removed: [...then.keys()].filter((id) => !now.has(id)).sort()
          })
        }
      }
    }
  })
})

describe("changes?since= errors", () => {
  const feed = buildChangeFeed({ oldest: 3, rows: [] }, 6)

  it("wants an integer since, like limit and offset", () => {
    expect(error(feed, {})).toEqual({
      status: 400,
      code: 102,
      message: "The parameter since is required",
      message_key: "avalon.service.error.invalid_input_value",
      payload: { field: "since" }
    })
    expect(error(feed, { since: "1.5" })).toEqual({
      status: 400,
      code: 101,
      message: "Invalid field value for integer field since: '1.5'",
      message_key: "avalon.service.error.invalid_input_type",
      payload: { field: "since", value: "1.5" }
    })
    expect(error(feed, { since: "" })).toMatchObject({ code: 101 })
    expect(error(feed, { since: "-1" })).toMatchObject({ status: 400, code: 102, message: "The value of since may not be negative", payload: { field: "since", value: -1 } })
  })

  it("is 410 for a generation before the log or after the current one: the client must download everything", () => {
    for (const since of ["2", "0", "7", "99999999999999999999999"]) {
      expect(error(feed, { since })).toEqual({
        status: 410,
        code: 11,
        message: `Changes since generation ${since} are not available (only since generations 3 to 6): download the whole collection again`,
        message_key: "avalon.service.error.full_sync_required",
        payload: { since: Number(since), oldest: 3, generation: 6 }
      })
    }
  })

  it("without a change log (a database from before it), only the current generation can be asked for", () => {
    const unlogged = buildChangeFeed(undefined, 4)
    expect(answer(unlogged, "4")).toEqual({ generation: 4, since: 4, songs: none, albums: none, artists: none, genres: none })
    expect(error(unlogged, { since: "3" })).toMatchObject({ status: 410, payload: { since: 3, oldest: 4, generation: 4 } })
  })
})
