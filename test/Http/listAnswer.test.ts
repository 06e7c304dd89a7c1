import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { buildCatalog } from "../../src/Catalog/Catalog.js"
import { type Endpoint, queryCatalog } from "../../src/Catalog/queryCatalog.js"
import { collectionColumns } from "../../src/Domain/Collection.js"
import { firstValues } from "../../src/Http/firstValues.js"
import { listAnswer } from "../../src/Http/listAnswer.js"
import { rows } from "../Catalog/fixtures.js"

const searches: ReadonlyArray<readonly [Endpoint, string]> = [
  ["songs", ""],
  ["songs", "query=pu&limit=2"],
  ["songs", "artist=The%20Bouncing%20Souls&order=year&direction=desc"],
  ["albums", "order=name&limit=1&offset=1"],
  ["genres", "query=punk"],
  ["artists", "limit=-1"],
  ["songs", "album_id=nope"],
  ["songs", "limit=x"]
]

const body = (result: Either.Either<{ readonly body: Buffer }, { readonly message: string }>): string =>
  Either.isRight(result) ? result.right.body.toString() : `error: ${result.left.message}`

describe("listAnswer", () => {
  it("answers exactly what queryCatalog answers", () => {
    const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    for (const [endpoint, search] of searches) {
      expect(body(listAnswer(catalog, endpoint, search))).toBe(body(queryCatalog(catalog, endpoint, firstValues(search))))
    }
  })

  it("reports the page: total before paging, limit and offset as given", () => {
    const catalog = buildCatalog(collectionColumns(rows), { generation: 1, loadedAt: new Date(0) })
    const paged = Either.getOrThrow(listAnswer(catalog, "albums", "order=name&limit=1&offset=1"))
    const all = Either.getOrThrow(listAnswer(catalog, "albums", ""))
    expect(paged.paging).toEqual({ total: all.paging.total, limit: 1, offset: 1 })
    expect(all.paging).toEqual({ total: all.paging.total, limit: undefined, offset: 0 })
    expect(all.paging.total).toBeGreaterThan(1)
  })
})
