import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { cachedQuery } from "../../src/Http/cachedQuery.js"
import { collectionColumns } from "../../src/Domain/Collection.js"
import { firstValues } from "../../src/Http/firstValues.js"
import { rows } from "../Catalog/fixtures.js"

const budget = 1024 * 1024
const searches: ReadonlyArray<readonly [Endpoint, string]> = [
  ["songs", ""],
  ["songs", "query=pu&limit=2"],
  ["songs", "artist=The%20Bouncing%20Souls&order=year&direction=desc"],
  ["albums", "order=name&limit=1&offset=1"],
  ["genres", "query=punk"],
  ["artists", "limit=-1"],
  ["songs", "album_id=nope"]
]

const body = (result: Either.Either<{ readonly body: Buffer }, { readonly message: string }>): string =>
  Either.isRight(result) ? result.right.body.toString() : `error: ${result.left.message}`

describe("cachedQuery", () => {
  it("answers exactly what queryCatalog answers, first time and from the cache", () => {
    const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    for (let round = 0; round < 2; round++) {
      for (const [endpoint, search] of searches) {
        expect(body(cachedQuery(catalog, endpoint, search, budget))).toBe(body(queryCatalog(catalog, endpoint, firstValues(search))))
      }
    }
  })

  it("runs a repeated query once per catalog; a new catalog starts afresh; budget 0 caches nothing", () => {
    const first = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    const second = buildCatalog(collectionColumns(rows), { generation: 2, loadedAt: new Date(0) })
    const bodyOf = (catalog: typeof first, bytes: number) => Either.getOrThrow(cachedQuery(catalog, "songs", "order=year&limit=2", bytes)).body
    const remembered = bodyOf(first, budget)
    expect(bodyOf(first, budget)).toBe(remembered)
    expect(bodyOf(second, budget)).not.toBe(remembered)
    expect(bodyOf(second, budget)).toEqual(remembered)
    expect(bodyOf(first, 0)).not.toBe(bodyOf(first, 0))
  })

  it("never remembers an error", () => {
    const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    const error = () => cachedQuery(catalog, "songs", "limit=x", budget)
    expect(Either.isLeft(error())).toBe(true)
    expect(error()).not.toBe(error())
  })
})
