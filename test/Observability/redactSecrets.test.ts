import { describe, expect, it } from "@effect/vitest"
import { makeRedactor, redactSecrets, urlSecrets } from "../../src/Observability/redactSecrets.js"

describe("redactSecrets", () => {
  it.each([
    ["postgresql://user:secret@host/db", "postgresql://user:***@host/db"],
    ["postgresql+psycopg2://avalon:pa%40ss@10.0.0.5:5432/music", "postgresql+psycopg2://avalon:***@10.0.0.5:5432/music"],
    ["postgresql://user:p@ss:w0rd@host:5432/db", "postgresql://user:***@host:5432/db"],
    ["redis://:onlypassword@cache:6379", "redis://:***@cache:6379"],
    ["failed: connect postgresql://a:b@h1/x then postgresql://c:d@h2/y.", "failed: connect postgresql://a:***@h1/x then postgresql://c:***@h2/y."],
    [`{"url":"postgresql://u:pw@h"}`, `{"url":"postgresql://u:***@h"}`],
    ["https://0123456789abcdef@o42.ingest.sentry.io/7", "https://***@o42.ingest.sentry.io/7"],
    ["http://publickey@127.0.0.1:9000/1", "http://***@127.0.0.1:9000/1"],
    ["POST /api/1/envelope/?sentry_version=7&sentry_key=publickey&x=1", "POST /api/1/envelope/?sentry_version=7&sentry_key=***&x=1"],
    ["postgresql://host/db?user=u&password=hunter2", "postgresql://host/db?user=u&password=***"],
    ["host=db user=avalon password=hunter2 dbname=music", "host=db user=avalon password=*** dbname=music"]
  ])("masks %s", (text, expected) => {
    expect(redactSecrets(text)).toBe(expected)
  })

  it.each([
    "postgresql://user@host/db",
    "sqlite:////var/lib/avalon.sqlite",
    "GET /avalon/songs?query=a%40b&limit=10 from 127.0.0.1",
    "email me at someone@example.com",
    "ratio a=b and https://example.com/path?q=1"
  ])("leaves %s alone", (text) => {
    expect(redactSecrets(text)).toBe(text)
  })

  it("masks known secrets wherever they appear", () => {
    const redact = makeRedactor(urlSecrets(["https://abcdef0123@o1.ingest.sentry.io/5", "postgresql://avalon:pa%40ss@db/music", "sqlite:///x.db"]))
    expect(redact("key abcdef0123 leaked, and pa@ss, and pa%40ss")).toBe("key *** leaked, and ***, and ***")
  })
})
