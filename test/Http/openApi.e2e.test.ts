import { connect } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { AppConfig } from "../../src/Config/AppConfig.js"
import { defaultConfigText } from "../../src/Config/DefaultConfigText.js"
import { loadSettings } from "../../src/Config/loadSettings.js"
import { CatalogCell, CatalogStore } from "../../src/Http/CatalogStore.js"
import { HttpAddress, HttpLive } from "../../src/Http/HttpLive.js"
import { routeNames } from "../../src/Http/routes.js"
import { ErrorReporter } from "../../src/Observability/ErrorReporter.js"
import { MetricsNoop } from "../../src/Observability/Statsd.js"
import { fixturesCollection, runAvalon, startServer, type RunningServer } from "../support/avalon.js"
import { deref, type Json, references, resolvePointer, schemaErrors } from "../support/jsonSchema.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

type Doc = Json
type Answer = { readonly status: number; readonly headers: Headers; readonly text: string }

const folder = makeTemporaryFolder()
const databaseUrl = `sqlite:///${join(folder.path, "openapi.sqlite")}`
const listEndpoints = ["songs", "albums", "artists", "genres"] as const
afterAll(() => folder.remove())

const field = (value: Json | undefined, ...path: Array<string | number>): Json | undefined => {
  let node = value
  for (const key of path) {
    if (typeof key === "number") node = Array.isArray(node) ? node[key] : undefined
    else node = typeof node === "object" && node !== null && !Array.isArray(node) ? (node as { readonly [key: string]: Json })[key] : undefined
  }
  return node
}

const keysOf = (value: Json | undefined): Array<string> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : []

const rawRequest = (port: number, request: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request))
    let answer = ""
    socket.on("data", (chunk) => (answer += chunk.toString()))
    socket.on("close", () => resolve(answer))
    socket.on("error", () => resolve(answer))
    socket.setTimeout(5000, () => socket.destroy())
  })

/** The status and JSON body of a raw HTTP/1.1 answer. */
const parseRaw = (raw: string): { readonly status: number; readonly body: Json } => ({
  status: Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1]),
  body: JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))
})

/** The example values of a response's JSON content, by example name. */
const examplesOf = (doc: Doc, response: Json | undefined): Record<string, Json> => {
  const examples = field(deref(doc, response), "content", "application/json", "examples")
  return Object.fromEntries(keysOf(examples).map((name) => [name, field(deref(doc, field(examples, name)), "value")!]))
}

describe("openapi.json over a real server", () => {
  let server: RunningServer
  let doc: Doc
  const get = async (path: string, init?: RequestInit): Promise<Answer> => {
    const response = await fetch(server.url(path), init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  }
  const operation = (route: string): Json | undefined => field(doc, "paths", `/${route}`, "get")
  const documentedResponse = (route: string, status: number): Json | undefined => deref(doc, field(operation(route), "responses", String(status)))
  /** The answer's body conforms to the schema documented for its status and content type. */
  const expectDocumented = (route: string, answer: Answer) => {
    const response = documentedResponse(route, answer.status)
    expect(response, `${route} does not document status ${answer.status}`).toBeDefined()
    const mediaType = answer.headers.get("content-type")!.split(";")[0]!
    const schema = field(response, "content", mediaType, "schema")
    expect(schema, `${route} ${answer.status} does not document ${mediaType}`).toBeDefined()
    const body: Json = mediaType === "application/json" ? JSON.parse(answer.text) : answer.text
    expect(schemaErrors(doc, schema, body)).toEqual([])
    return body
  }
  const parameterSchema = (route: string, name: string): Json | undefined => {
    const parameters = field(operation(route), "parameters")
    const parameter = Array.isArray(parameters) ? parameters.map((entry) => deref(doc, entry)).find((entry) => field(entry, "name") === name) : undefined
    return field(parameter, "schema")
  }

  beforeAll(async () => {
    const scan = runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection])
    expect(scan.status).toBe(0)
    server = await startServer({ AVALON_DATABASE_URL: databaseUrl })
    doc = JSON.parse((await get("/avalon/openapi.json")).text)
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it("is an OpenAPI 3.1 document for this server, whose references all resolve", async () => {
    const answer = await get("/avalon/openapi.json")
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(field(doc, "openapi")).toMatch(/^3\.1\.\d+$/)
    expect(field(doc, "info", "title")).toBe("Avalon Music Server")
    expect(field(doc, "info", "version")).toBe((await get("/avalon/version")).text)
    expect(field(doc, "servers")).toEqual([{ url: "/avalon", description: "This server (REQUEST_PATH)" }])
    const refs = references(doc)
    expect(refs.length).toBeGreaterThan(50)
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined()
    expect(resolvePointer(doc, "#/components/schemas/Nope")).toBeUndefined()
    const operationIds = keysOf(field(doc, "paths")).map((path) => field(operation(path.slice(1)), "operationId"))
    expect(new Set(operationIds).size).toBe(routeNames.length)
  })

  it("documents exactly the routes the server answers, each answer conforming to its documented schema (GET and HEAD)", async () => {
    expect(keysOf(field(doc, "paths"))).toEqual(routeNames.map((route) => `/${route}`))
    // The one required parameter: the generation of the fixtures' scan.
    const sampleQuery: Partial<Record<(typeof routeNames)[number], string>> = { changes: "?since=1" }
    for (const route of routeNames) {
      const answer = await get(`/avalon/${route}${sampleQuery[route] ?? ""}`)
      expect(answer.status, route).toBe(200)
      expectDocumented(route, answer)
      expect(keysOf(field(documentedResponse(route, 200), "headers"))).toContain("Content-Length")
      const head = await get(`/avalon/${route}${sampleQuery[route] ?? ""}`, { method: "HEAD" })
      expect(head.status).toBe(200)
      expect(head.text).toBe("")
      expect(head.headers.get("content-length")).toBe(answer.headers.get("content-length"))
    }
    for (const route of routeNames) expect(keysOf(field(doc, "paths", `/${route}`))).toEqual(["get"])
    expect(keysOf(field(documentedResponse("docs", 200), "headers"))).toContain("Content-Security-Policy")
  })

  it("documents the entities field by field, in the order the server writes them", async () => {
    for (const [endpoint, schema] of [["songs", "Song"], ["albums", "Album"], ["artists", "Artist"], ["genres", "Genre"]] as const) {
      const entity = resolvePointer(doc, `#/components/schemas/${schema}`)
      const items = field(JSON.parse((await get(`/avalon/${endpoint}`)).text), "success")
      expect(Array.isArray(items) && items.length > 0).toBe(true)
      for (const item of Array.isArray(items) ? items : []) {
        expect(keysOf(item)).toEqual(field(entity, "required"))
        expect(keysOf(item)).toEqual(keysOf(field(entity, "properties")))
        expect(schemaErrors(doc, entity, item)).toEqual([])
      }
      expect(schemaErrors(doc, entity, field(entity, "examples", 0)!)).toEqual([])
    }
    // The checker is not blind: a missing field, a wrong type or an unexpected envelope key is reported.
    expect(schemaErrors(doc, resolvePointer(doc, "#/components/schemas/Album"), { id: "x" })).not.toEqual([])
    expect(schemaErrors(doc, resolvePointer(doc, "#/components/schemas/Song"), { ...(field(resolvePointer(doc, "#/components/schemas/Song"), "examples", 0) as object), year: "1996" })).not.toEqual([])
    expect(schemaErrors(doc, resolvePointer(doc, "#/components/schemas/GenresEnvelope"), { success: [], errors: [], warnings: [], extra: 1 })).not.toEqual([])
  })

  it.each(listEndpoints)("%s: every documented order field is accepted both ways, any other name answers the documented error 100", async (endpoint) => {
    const order = parameterSchema(endpoint, "order")
    const fields = field(order, "enum")
    const first = field(JSON.parse((await get(`/avalon/${endpoint}`)).text), "success", 0)
    expect(fields).toEqual(keysOf(first))
    for (const name of Array.isArray(fields) ? fields : []) {
      for (const direction of ["asc", "desc"]) {
        const answer = await get(`/avalon/${endpoint}?order=${name}&direction=${direction}`)
        expect(answer.status, `${endpoint} order=${name}`).toBe(200)
        expectDocumented(endpoint, answer)
      }
    }
    for (const name of ["bogus", "count", "index", "NAME", "id ", ""]) {
      expect(schemaErrors(doc, order, name)).not.toEqual([])
      const answer = await get(`/avalon/${endpoint}?order=${encodeURIComponent(name)}`)
      expect(answer.status).toBe(400)
      expect(field(expectDocumented(endpoint, answer), "errors", 0, "code")).toBe(100)
    }
  })

  it.each(listEndpoints)("%s: the server reacts to each documented parameter and ignores the others", async (endpoint) => {
    const all = field(JSON.parse((await get(`/avalon/${endpoint}`)).text), "success")
    const total = Array.isArray(all) ? all.length : 0
    expect(total).toBeGreaterThan(2)
    const count = async (search: string) => {
      const answer = await get(`/avalon/${endpoint}?${search}`)
      expect(answer.status, search).toBe(200)
      const items = field(expectDocumented(endpoint, answer), "success")
      return Array.isArray(items) ? items.length : -1
    }
    const firstName = String(field(all, 0, "name"))
    const probes: Record<string, () => Promise<void>> = {
      query: async () => expect(await count("query=zzzz")).toBe(0),
      album: async () => expect(await count("album=No%20Such%20Album")).toBe(0),
      artist: async () => expect(await count("artist=No%20Such%20Artist")).toBe(0),
      genre: async () => expect(await count("genre=No%20Such%20Genre")).toBe(0),
      album_id: async () => expect(await count("album_id=00000000000000000000000000000000")).toBe(0),
      artist_id: async () => expect(await count("artist_id=%7B00000000-0000-0000-0000-000000000000%7D")).toBe(0),
      genre_id: async () => expect(await count("genre_id=urn:uuid:00000000-0000-0000-0000-000000000000")).toBe(0),
      order: async () => {
        const byId = field(JSON.parse((await get(`/avalon/${endpoint}?order=id`)).text), "success")
        expect(byId).not.toEqual(all)
      },
      direction: async () => {
        const descending = field(JSON.parse((await get(`/avalon/${endpoint}?order=name&direction=desc`)).text), "success")
        expect(field(descending, 0, "name")).not.toBe(firstName)
      },
      limit: async () => expect(await count("limit=1")).toBe(1),
      offset: async () => expect(await count(`limit=${total}&offset=1`)).toBe(total - 1)
    }
    const parameters = field(operation(endpoint), "parameters")
    const documented = (Array.isArray(parameters) ? parameters : []).map((parameter) => String(field(deref(doc, parameter), "name")))
    expect(documented).toEqual(endpoint === "songs" ? Object.keys(probes) : ["query", "order", "direction", "limit", "offset"])
    for (const name of documented) await probes[name]!()
    for (const name of Object.keys(probes).filter((candidate) => !documented.includes(candidate)).concat("foo")) {
      expect(await count(`${name}=zzzz`), `${endpoint} ignores ${name}`).toBe(total)
    }
    for (const uuid of ["00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}", "urn:uuid:00000000-0000-0000-0000-000000000000"]) {
      if (endpoint === "songs") expect(schemaErrors(doc, parameterSchema(endpoint, "album_id"), uuid)).toEqual([])
    }
  })

  /** The request that causes each documented 400 example. */
  const badRequests: Record<string, string> = {
    malformedUuid: "album_id=xyz",
    badDirection: "order=name&direction=sideways",
    unknownOrderField: "order=bogus",
    notAnInteger: "offset=foo",
    negative: "limit=-1"
  }

  it.each(listEndpoints)("%s: answers each documented 400 example exactly, for the request that causes it", async (endpoint) => {
    const examples = examplesOf(doc, documentedResponse(endpoint, 400))
    expect(Object.keys(examples).sort()).toEqual(Object.keys(badRequests).filter((name) => endpoint === "songs" || name !== "malformedUuid").sort())
    for (const [name, example] of Object.entries(examples)) {
      const answer = await get(`/avalon/${endpoint}?${badRequests[name]}`)
      expect(answer.status, name).toBe(400)
      expect(expectDocumented(endpoint, answer)).toEqual(example)
    }
    // Documented validation order: a bad direction is reported before an unknown field, types before signs.
    const both = await get(`/avalon/${endpoint}?order=bogus&direction=sideways&limit=-1`)
    expect(JSON.parse(both.text)).toEqual(examples.badDirection)
    const limitSign = await get(`/avalon/${endpoint}?limit=-1&offset=foo`)
    expect(JSON.parse(limitSign.text)).toEqual(examples.notAnInteger)
    if (endpoint === "songs") expect(JSON.parse((await get("/avalon/songs?order=bogus&album_id=xyz")).text)).toEqual(examples.malformedUuid)
  })

  it("answers every request-level error exactly as components.responses documents it", async () => {
    const responses = field(doc, "components", "responses")
    const example = (name: string) => Object.values(examplesOf(doc, field(responses, name)))[0]
    const { port } = server
    const getJson = async (path: string, init?: RequestInit) => {
      const answer = await get(path, init)
      return { status: answer.status, body: JSON.parse(answer.text) as Json }
    }
    const probes: Record<string, () => Promise<{ readonly status: number; readonly body: Json }>> = {
      notFound: () => getJson("/avalon/tracks"),
      methodNotAllowed: () => getJson("/avalon/songs", { method: "POST" }),
      uriTooLong: () => getJson(`/avalon/songs?query=${"a".repeat(9000)}`),
      bodyNotAllowed: async () => parseRaw(await rawRequest(port, "GET /avalon/songs HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc")),
      headersTooLarge: async () => parseRaw(await rawRequest(port, `GET /avalon/songs HTTP/1.1\r\nhost: x\r\nx-big: ${"b".repeat(20_000)}\r\n\r\n`)),
      badRequest: async () => parseRaw(await rawRequest(port, "NOT HTTP AT ALL\r\n\r\n"))
    }
    // `timeout` (408) needs a client that stalls for 10 s; its envelope is built like the other protocol errors.
    expect(keysOf(responses).sort()).toEqual([...Object.keys(probes), "timeout"].sort())
    for (const [name, probe] of Object.entries(probes)) {
      const answer = await probe()
      const documented = deref(doc, field(responses, name))
      expect(documented, name).toBeDefined()
      expect(answer.body, name).toEqual(example(name))
      expect(schemaErrors(doc, field(documented, "content", "application/json", "schema"), answer.body)).toEqual([])
      const status = field(example(name), "errors", 0, "code")
      expect(status, name).toBeDefined()
      const codeEntry = (field(doc, "components", "schemas", "ErrorCode", "oneOf") as ReadonlyArray<Json>).find((entry) => field(entry, "const") === status)
      expect(String(field(codeEntry, "description"))).toMatch(new RegExp(`^HTTP ${answer.status}:`))
    }
    const notAllowed = await get("/avalon/songs", { method: "DELETE" })
    expect(notAllowed.headers.get("allow")).toBe(field(deref(doc, field(doc, "components", "headers", "Allow")), "schema", "const"))
  })

  it("documents the caching, paging and compression headers the list answers carry, and their 304", async () => {
    const documented = keysOf(field(documentedResponse("songs", 200), "headers")).map((name) => name.toLowerCase())
    const answer = await get("/avalon/songs?limit=1&offset=1", { headers: { "accept-encoding": "gzip" } })
    const sent = [...answer.headers.keys()].filter((name) => !["content-type", "date", "connection", "keep-alive", "transfer-encoding"].includes(name))
    expect(sent).toEqual(expect.arrayContaining(["etag", "last-modified", "x-total-count", "link", "x-avalon-generation", "vary"]))
    for (const name of sent) expect(documented, name).toContain(name)
    const revalidated = await get("/avalon/songs?limit=1&offset=1", { headers: { "if-none-match": answer.headers.get("etag")! } })
    expect(revalidated.status).toBe(304)
    expect(documentedResponse("songs", 304)).toBeDefined()
  })

  it("changes: each error the server answers for `since` is documented with its status, code and message key", async () => {
    const cases = [["", "sinceMissing"], ["?since=x", "sinceNotAnInteger"], ["?since=-1", "sinceNegative"], ["?since=99", "fullSyncRequired"]] as const
    for (const [query, example] of cases) {
      const answer = await get(`/avalon/changes${query}`)
      expectDocumented("changes", answer)
      const documented = field(doc, "components", "examples", example, "value", "errors", 0)
      const actual = field(JSON.parse(answer.text), "errors", 0)
      expect([field(actual, "code"), field(actual, "message_key")], query).toEqual([field(documented, "code"), field(documented, "message_key")])
    }
    expect(JSON.parse((await get("/avalon/changes?since=yesterday")).text)).toEqual(field(doc, "components", "examples", "sinceNotAnInteger", "value"))
  })

  it("lists every error code once, with its message key and status as the examples show them", () => {
    const codes = field(doc, "components", "schemas", "ErrorCode", "oneOf") as ReadonlyArray<Json>
    expect(codes.map((entry) => field(entry, "const"))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 101, 102])
    const examples = field(doc, "components", "examples")
    for (const name of keysOf(examples)) {
      const error = field(examples, name, "value", "errors", 0)
      const entry = codes.find((candidate) => field(candidate, "const") === field(error, "code"))
      expect(field(entry, "title"), name).toBe(field(error, "message_key"))
    }
  })
})

describe("a non-default REQUEST_PATH", () => {
  beforeAll(() => {
    expect(runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection]).status).toBe(0)
  })

  it.each([
    ["/api/music", "/api/music"],
    ["/", ""]
  ])("%s: the document names it as its server, and its examples use it", async (requestPath, prefix) => {
    const server = await startServer({ AVALON_DATABASE_URL: databaseUrl, AVALON_REQUEST_PATH: requestPath })
    try {
      const response = await fetch(server.url(`${prefix}/openapi.json`))
      expect(response.status).toBe(200)
      const doc: Doc = JSON.parse(await response.text())
      expect(field(doc, "servers", 0, "url")).toBe(requestPath)
      const missing = await fetch(server.url(`${prefix}/tracks`))
      expect(await missing.json()).toEqual(field(doc, "components", "examples", "notFound", "value"))
      expect((await fetch(server.url(`${prefix}/docs`))).status).toBe(200)
      expect((await fetch(server.url("/avalon/openapi.json"))).status).toBe(404)
    } finally {
      await server.stop()
    }
  })
})

describe("before and without a catalog", () => {
  const settings = Either.getOrThrow(loadSettings({ defaultsText: defaultConfigText, env: {}, flags: { PORT: 0, STATSD_HOST: "" } }))
  const silentReporter = Layer.succeed(ErrorReporter, ErrorReporter.make({ capture: () => {}, flush: () => Promise.resolve() }))

  it.live("serves openapi.json and the docs page while the catalog is still loading", () =>
    Effect.gen(function* () {
      const { port } = yield* HttpAddress
      const url = (path: string) => `http://127.0.0.1:${port}${path}`
      const heartbeat = fetch(url("/avalon/heartbeat"), { signal: AbortSignal.timeout(500) }).then(() => "answered", () => "still waiting")
      for (const path of ["/avalon/openapi.json", "/avalon/docs"]) {
        const answer = yield* Effect.promise(() => fetch(url(path)))
        expect(answer.status).toBe(200)
        expect((yield* Effect.promise(() => answer.text())).length).toBeGreaterThan(1000)
        expect((yield* Effect.promise(() => fetch(url(path), { method: "HEAD" }))).status).toBe(200)
      }
      expect(yield* Effect.promise(() => heartbeat)).toBe("still waiting")
    }).pipe(
      Effect.provide(HttpLive.pipe(
        Layer.provide(Layer.succeed(CatalogStore, new CatalogCell())),
        Layer.provide(Layer.mergeAll(MetricsNoop, silentReporter)),
        Layer.provide(Layer.succeed(AppConfig, settings))
      ))
    ))

  it("serves them when loading failed, and the failure answers are the documented ones", async () => {
    const server = await startServer({ AVALON_DATABASE_URL: "postgresql://avalon@127.0.0.1:1/music" })
    try {
      const doc: Doc = JSON.parse(await (await fetch(server.url("/avalon/openapi.json"))).text())
      expect((await fetch(server.url("/avalon/docs"))).status).toBe(200)
      const songs = await fetch(server.url("/avalon/songs"))
      expect(songs.status).toBe(503)
      expect(await songs.json()).toEqual(field(doc, "components", "examples", "unavailable", "value"))
      expect(keysOf(examplesOf(doc, field(doc, "paths", "/songs", "get", "responses", "503")))).toContain("unavailable")
      const heartbeat = await fetch(server.url("/avalon/heartbeat"))
      expect(heartbeat.status).toBe(503)
      expect(await heartbeat.text()).toBe(field(doc, "paths", "/heartbeat", "get", "responses", "503", "content", "text/plain", "schema", "const"))
    } finally {
      await server.stop()
    }
  })
})
