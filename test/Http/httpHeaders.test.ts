import { describe, expect, it } from "@effect/vitest"
import { formatHttpDate, isWildcard, matchEntityTag, parseHttpDate } from "../../src/Http/conditionalRequests.js"
import { hashText } from "../../src/Http/hashText.js"
import { headerList } from "../../src/Http/headerList.js"
import { negotiateCoding, parseAcceptEncoding } from "../../src/Http/negotiateCoding.js"
import { escapeUri, pagingLinks } from "../../src/Http/pagingLinks.js"

describe("Accept-Encoding", () => {
  it.each([
    ["gzip", "gzip"],
    ["br", "br"],
    ["gzip, deflate, br", "br"],
    ["gzip, deflate, br, zstd", "br"],
    ["br;q=0.5, gzip", "gzip"],
    ["br;q=0.8, gzip;q=0.8", "br"],
    ["GZIP", "gzip"],
    ["x-gzip", "gzip"],
    ["deflate", "identity"],
    ["identity", "identity"],
    ["*", "br"],
    ["*;q=0", "identity"],
    ["gzip, *;q=0", "gzip"],
    ["br;q=0, *", "gzip"],
    ["br;q=0, gzip;q=0", "identity"],
    ["br ; q=0 , gzip", "gzip"],
    ["br;Q=0", "identity"],
    ["br;level=5;q=0.3, gzip;q=0.2", "br"],
    ["br;q=2, gzip", "gzip"],
    ["br;q=0.1234, gzip;q=0.1", "gzip"],
    ["br;q=0, br;q=1", "identity"],
    ["", "identity"],
    [",,, ;;", "identity"]
  ])("%j → %s", (header, coding) => {
    expect(parseAcceptEncoding(header)).toBe(coding)
    expect(negotiateCoding(header)).toBe(coding)
  })

  it("is identity without the header", () => {
    expect(negotiateCoding(undefined)).toBe("identity")
  })
})

describe("If-None-Match", () => {
  const tag = "\"abc-123\""
  const gz = "\"abc-123-gz\""

  it.each([
    [`"abc-123"`, tag],
    [`W/"abc-123"`, tag],
    [`"x", "y", W/"abc-123"`, tag],
    [`"x",W/"abc-123-gz"`, gz],
    [`  "abc-123-gz"  `, gz],
    [`"abc-12"`, undefined],
    [`"abc-1234"`, undefined],
    [`abc-123`, undefined],
    [`"abc-123`, undefined],
    [`*`, undefined],
    [``, undefined]
  ])("%j", (header, expected) => {
    expect(matchEntityTag(header, tag, gz)).toBe(expected)
  })

  it("compares only the tags asked for", () => {
    expect(matchEntityTag(`"abc-123-gz"`, tag)).toBeUndefined()
  })

  it("knows the wildcard", () => {
    expect(isWildcard("*")).toBe(true)
    expect(isWildcard(" * ")).toBe(true)
    expect(isWildcard("\"*\"")).toBe(false)
  })
})

describe("HTTP dates", () => {
  const instant = Date.UTC(1994, 10, 6, 8, 49, 37)

  it.each([
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994"
  ])("reads %j as GMT", (text) => {
    expect(parseHttpDate(text)).toBe(instant)
  })

  it.each(["", "yesterday", "2024-01-01", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT"])(
    "rejects %j",
    (text) => {
      expect(parseHttpDate(text)).toBeUndefined()
    }
  )

  it("writes IMF-fixdate to the second", () => {
    expect(formatHttpDate(new Date(instant + 999))).toBe("Sun, 06 Nov 1994 08:49:37 GMT")
  })
})

describe("paging Link header", () => {
  const links = (search: string, total: number, limit: number | undefined, offset: number) =>
    pagingLinks("/avalon/songs", search, { total, limit, offset })

  it("has only next on the first page", () => {
    expect(links("limit=10&query=a", 25, 10, 0)).toBe("</avalon/songs?limit=10&query=a&offset=10>; rel=\"next\"")
  })

  it("has next and prev in the middle, replacing offset where it stood", () => {
    expect(links("query=a&offset=10&limit=10", 25, 10, 10)).toBe(
      "</avalon/songs?query=a&offset=20&limit=10>; rel=\"next\", </avalon/songs?query=a&offset=0&limit=10>; rel=\"prev\""
    )
  })

  it("has only prev on the last page, and a prev inside the list past the end", () => {
    expect(links("limit=10&offset=20", 25, 10, 20)).toBe("</avalon/songs?limit=10&offset=10>; rel=\"prev\"")
    expect(links("limit=10&offset=25", 25, 10, 25)).toBe("</avalon/songs?limit=10&offset=15>; rel=\"prev\"")
    expect(links("limit=10&offset=500", 25, 10, 500)).toBe("</avalon/songs?limit=10&offset=15>; rel=\"prev\"")
    expect(links("limit=10&offset=3", 25, 10, 3)).toContain("</avalon/songs?limit=10&offset=0>; rel=\"prev\"")
  })

  it("is absent without a limit, with limit 0, and when everything fits on one page", () => {
    expect(links("offset=10", 25, undefined, 10)).toBeUndefined()
    expect(links("limit=0", 25, 0, 0)).toBeUndefined()
    expect(links("limit=0&offset=5", 25, 0, 5)).toBeUndefined()
    expect(links("limit=10", 0, 10, 0)).toBeUndefined()
    expect(links("limit=25", 25, 25, 0)).toBeUndefined()
    expect(links("limit=99999999999999999999", 25, 1e20, 0)).toBeUndefined()
    expect(links("limit=99999999999999999999&offset=3", 25, 1e20, 3)).toBe("</avalon/songs?limit=99999999999999999999&offset=0>; rel=\"prev\"")
  })

  it("drops repeated and encoded offsets (the first one counts) and keeps everything else as sent", () => {
    expect(links("off%73et=10&limit=5&offset=99&query=a+b%20c&&x", 30, 5, 10)).toBe(
      "</avalon/songs?offset=15&limit=5&query=a+b%20c&&x>; rel=\"next\", </avalon/songs?offset=5&limit=5&query=a+b%20c&&x>; rel=\"prev\""
    )
    expect(links("query=offset&limit=5", 6, 5, 0)).toBe("</avalon/songs?query=offset&limit=5&offset=5>; rel=\"next\"")
    expect(links("query=%25&offset=5&limit=5", 20, 5, 5)).toContain("</avalon/songs?query=%25&offset=10&limit=5>; rel=\"next\"")
    expect(links("offset&limit=5", 20, 5, 0)).toBe("</avalon/songs?offset=5&limit=5>; rel=\"next\"")
  })

  it("stays under 4 KiB: without links when they would not fit", () => {
    const query = `query=${"a".repeat(2500)}`
    expect(links(`${query}&limit=1`, 5, 1, 0)).toContain("rel=\"next\"")
    expect(links(`${query}&limit=1&offset=1`, 5, 1, 1)).toBeUndefined()
    expect(links(`query=${"a".repeat(4100)}&limit=1`, 5, 1, 0)).toBeUndefined()
  })

  it("percent-encodes what may not stand in a URI", () => {
    expect(escapeUri("query=<a>\"{|}^`\\ b")).toBe("query=%3Ca%3E%22%7B%7C%7D%5E%60%5C%20b")
    expect(escapeUri("query=caf%C3%A9&x=[1]")).toBe("query=caf%C3%A9&x=[1]")
    expect(links("query=<script>&limit=1", 3, 1, 0)).toBe("</avalon/songs?query=%3Cscript%3E&limit=1&offset=1>; rel=\"next\"")
  })
})

describe("hashText", () => {
  it("is stable, seeded and spread", () => {
    expect(hashText("limit=5")).toBe(hashText("limit=5"))
    expect(hashText("limit=5", 1)).not.toBe(hashText("limit=5", 2))
    const hashes = new Set<number>()
    for (let i = 0; i < 10_000; i++) hashes.add(hashText(`query=${i}&limit=5`))
    expect(hashes.size).toBe(10_000)
    expect(Math.max(...hashes)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER)
  })
})

describe("headerList", () => {
  it("flattens names and values in order, the values as strings", () => {
    expect(headerList({ "content-type": "application/json", "content-length": 16007, "x-total-count": 0, link: "</a>; rel=\"next\"" })).toEqual([
      "content-type", "application/json", "content-length", "16007", "x-total-count", "0", "link", "</a>; rel=\"next\""
    ])
  })
})
