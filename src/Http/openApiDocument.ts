import {
  type ApiError,
  FullSyncRequired,
  InvalidParameterName,
  InvalidParameterType,
  InvalidParameterValue,
  MethodNotAllowed,
  Misconfigured,
  NotFound,
  renderErrorEnvelope,
  ServiceUnavailable,
  UnknownError
} from "../Catalog/ApiError.js"
import { namedFields } from "../Catalog/NamedTable.js"
import { orderFields } from "../Catalog/orderFields.js"
import type { Endpoint } from "../Catalog/queryCatalog.js"
import { type SongField, songFields } from "../Catalog/SongTable.js"
import { albumId, artistId, genreId, songId } from "../Domain/Ids.js"
import { protocolErrorAnswer, protocolErrorCauses, protocolErrorNames } from "./protocolErrors.js"
import { type Route, routeNames, routePrefix } from "./routes.js"

export type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json }
export type JsonObject = { readonly [key: string]: Json }

const ref = (kind: "schemas" | "responses" | "headers" | "examples", name: string): JsonObject => ({ $ref: `#/components/${kind}/${name}` })

/** Response headers, referenced by name from the responses that send them. */
const headers = {
  "Content-Length": { description: "Size of the body in bytes (also on HEAD, which has no body).", schema: { type: "integer", minimum: 0 } },
  Allow: { description: "The methods the path answers.", schema: { type: "string", const: "GET, HEAD" } },
  Connection: { description: "The server closes the connection after a protocol error.", schema: { type: "string", const: "close" } },
  "Content-Security-Policy": { description: "The page may only run its own inline script and style and fetch from this server.", schema: { type: "string" } },
  ETag: { description: "A strong validator of this exact body (catalog generation, request and content coding): send it back in `If-None-Match` to get 304 while nothing changed.", schema: { type: "string" } },
  "Last-Modified": { description: "When the scan that produced the data finished; for `If-Modified-Since`.", schema: { type: "string" } },
  "Cache-Control": { description: "The CACHE_CONTROL setting (default `no-cache`: revalidate with the ETag); absent when the setting is empty.", schema: { type: "string" } },
  Vary: { description: "The body depends on the request's `Accept-Encoding`.", schema: { type: "string", const: "Accept-Encoding" } },
  "Content-Encoding": { description: "`br` or `gzip` when the request's `Accept-Encoding` allows it and the body is 1 KB or more; absent otherwise.", schema: { type: "string", enum: ["br", "gzip"] } },
  "X-Total-Count": { description: "How many results match before `limit` and `offset`.", schema: { type: "integer", minimum: 0 } },
  Link: { description: "RFC 8288 links to the `next` and `prev` pages (only with `limit`, and only where such a page exists).", schema: { type: "string" } },
  "X-Avalon-Generation": { description: "The scan generation the answer's data comes from: the `since` of a later `changes` request.", schema: { type: "integer", minimum: 0 } }
} satisfies Record<string, JsonObject>

type HeaderName = keyof typeof headers

const headerRefs = (names: ReadonlyArray<HeaderName>): JsonObject =>
  Object.fromEntries(names.map((name) => [name, ref("headers", name)]))

/** One documented error case: the exact envelope the server answers in that case. */
type ErrorCase = {
  readonly name: string
  readonly status: number
  readonly code: number
  readonly key: string
  readonly cause: string
  readonly body: Json
  readonly headers: ReadonlyArray<HeaderName>
}

type DocumentedError = { readonly cause: string; readonly error: ApiError; readonly headers?: ReadonlyArray<HeaderName> }

const apiErrors = (prefix: string) => ({
  unknownOrderField: { cause: "`order` names no field of the returned objects", error: InvalidParameterName.orderField("bogus") },
  notAnInteger: { cause: "`limit` or `offset` is not an integer", error: InvalidParameterType.integer("offset", "foo") },
  malformedUuid: { cause: "an `album_id`, `artist_id` or `genre_id` is not a UUID", error: InvalidParameterType.uuid("album_id", "xyz") },
  negative: { cause: "`limit` is negative, or `offset` is negative while `limit` is given", error: InvalidParameterValue.negative("limit", -1n) },
  sinceMissing: { cause: "`since` is missing", error: InvalidParameterValue.required("since") },
  sinceNotAnInteger: { cause: "`since` is not an integer", error: InvalidParameterType.integer("since", "yesterday") },
  sinceNegative: { cause: "`since` is negative", error: InvalidParameterValue.negative("since", -1n) },
  fullSyncRequired: {
    cause: "the changes since that generation are not available (older than the kept window, from before the change log, or newer than the server's): download everything again",
    error: FullSyncRequired.since(2n, 5, 9)
  },
  badDirection: { cause: "`direction` is neither `asc` nor `desc` while `order` is given", error: InvalidParameterValue.direction("sideways") },
  unknown: { cause: "an unexpected failure", error: UnknownError.default() },
  unavailable: { cause: "the collection could not be loaded (the server keeps retrying)", error: ServiceUnavailable.default() },
  misconfigured: { cause: "the server is misconfigured", error: new Misconfigured({ message: "The service is misconfigured", payload: {} }) },
  notFound: { cause: "no route has this path", error: NotFound.path(`${prefix}/tracks`) },
  methodNotAllowed: { cause: "the path is known but the method is not GET or HEAD", error: MethodNotAllowed.method("POST", `${prefix}/songs`), headers: ["Allow"] }
}) satisfies Record<string, DocumentedError>

type ApiErrorName = keyof ReturnType<typeof apiErrors>
type DocumentedKind = ReturnType<typeof apiErrors>[ApiErrorName]["error"]["_tag"]
// A new kind of ApiError fails to compile here until apiErrors documents it.
const everyApiErrorDocumented: Exclude<ApiError["_tag"], DocumentedKind> extends never ? true : never = true
void everyApiErrorDocumented

const errorCases = (prefix: string): Record<ApiErrorName, ErrorCase> => {
  const entries = Object.entries<DocumentedError>(apiErrors(prefix)).map(([name, { cause, error, headers }]): [string, ErrorCase] => {
    const { body, status } = renderErrorEnvelope(error)
    return [name, { name, status, code: error.code, key: error.message_key, cause, body: JSON.parse(body), headers: headers ?? [] }]
  })
  return Object.fromEntries(entries) as Record<ApiErrorName, ErrorCase>
}

const protocolErrorCases = (): ReadonlyArray<ErrorCase> => protocolErrorNames.map((name) => {
  const answer = protocolErrorAnswer(name)
  const body = JSON.parse(answer.body.toString())
  return { name, status: answer.status, code: body.errors[0].code, key: body.errors[0].message_key, cause: protocolErrorCauses[name], body, headers: ["Connection"] }
})

const errorExamples = (cases: ReadonlyArray<ErrorCase>): JsonObject =>
  Object.fromEntries(cases.map((entry) => [entry.name, { summary: `${entry.code}: ${entry.cause}`, value: entry.body }]))

const errorExampleRefs = (cases: ReadonlyArray<ErrorCase>): JsonObject =>
  Object.fromEntries(cases.map((entry) => [entry.name, ref("examples", entry.name)]))

const errorResponse = (cases: ReadonlyArray<ErrorCase>): JsonObject => ({
  description: cases.map((entry) => `Error ${entry.code} (\`${entry.key}\`): ${entry.cause}.`).join("\n\n"),
  headers: headerRefs(["Content-Length", ...new Set(cases.flatMap((entry) => entry.headers))]),
  content: { "application/json": { schema: ref("schemas", "ErrorEnvelope"), examples: errorExampleRefs(cases) } }
})

const groupBy = (cases: ReadonlyArray<ErrorCase>, key: "status" | "code"): Array<[number, Array<ErrorCase>]> => {
  const groups = new Map<number, Array<ErrorCase>>()
  for (const entry of cases) groups.set(entry[key], [...(groups.get(entry[key]) ?? []), entry])
  return [...groups].sort(([a], [b]) => a - b)
}

const errorResponses = (cases: ReadonlyArray<ErrorCase>): Record<string, JsonObject> =>
  Object.fromEntries(groupBy(cases, "status").map(([status, group]) => [String(status), errorResponse(group)]))

const errorCodeSchema = (cases: ReadonlyArray<ErrorCase>): JsonObject => ({
  type: "integer",
  description: "Every error code, with its `message_key` as title and its HTTP status.",
  oneOf: groupBy(cases, "code").map(([code, group]) => ({
    const: code,
    title: group[0]!.key,
    description: `HTTP ${group[0]!.status}: ${group.map((entry) => entry.cause).join("; ")}.`
  }))
})

const uuidSchema = (description: string): JsonObject => ({
  type: "string",
  format: "uuid",
  pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
  description
})

const namedEntity = (entity: "album" | "artist" | "genre", exampleName: string, exampleId: string): JsonObject => {
  const properties: Record<(typeof namedFields)[number], JsonObject> = {
    id: uuidSchema(`UUIDv5 of the lowercased name in the ${entity} namespace.`),
    name: { type: "string" }
  }
  return {
    type: "object",
    required: [...namedFields],
    properties: Object.fromEntries(namedFields.map((field) => [field, properties[field]])),
    examples: [{ id: exampleId, name: exampleName }]
  }
}

const songExamplePath = "/music/Voodoo_Glow_Skulls/02-adicción,_tradición,_revolución.ogg"

const songSchema = (): JsonObject => {
  const properties: Record<SongField, JsonObject> = {
    id: uuidSchema("UUIDv5 of the file's absolute, normalized path in the song namespace."),
    name: { type: "string" },
    length: { type: "integer", minimum: 0, description: "Whole seconds." },
    track: { type: "integer", description: "0 when unknown." },
    year: { type: "integer", description: "0 when unknown." },
    album: { type: "string" },
    album_id: uuidSchema("The album's id."),
    artist: { type: "string" },
    artist_id: uuidSchema("The artist's id."),
    genre: { type: "string" },
    genre_id: uuidSchema("The genre's id.")
  }
  return {
    type: "object",
    required: [...songFields],
    properties: Object.fromEntries(songFields.map((field) => [field, properties[field]])),
    examples: [{
      id: songId(songExamplePath),
      name: "Adicción, Tradición, Revolución",
      length: 172,
      track: 2,
      year: 1996,
      album: "Firme",
      album_id: albumId("Firme"),
      artist: "Voodoo Glow Skulls",
      artist_id: artistId("Voodoo Glow Skulls"),
      genre: "Punk Ska",
      genre_id: genreId("Punk Ska")
    }]
  }
}

const successEnvelope = (item: string): JsonObject => ({
  type: "object",
  required: ["success", "errors", "warnings"],
  additionalProperties: false,
  properties: {
    success: { type: "array", items: ref("schemas", item) },
    errors: { type: "array", maxItems: 0 },
    warnings: { type: "array", items: { type: "string" } }
  }
})

const idList = (description: string): JsonObject => ({ type: "array", items: uuidSchema("An id."), description })

const changesOfKind = (): JsonObject => ({
  type: "object",
  required: ["added", "changed", "removed"],
  additionalProperties: false,
  properties: {
    added: idList("Absent at `since`, present now. Sorted."),
    changed: idList("Present at both ends and touched in between. Sorted."),
    removed: idList("Present at `since`, absent now. Sorted.")
  }
})

const changesSchema = (): JsonObject => ({
  type: "object",
  required: ["generation", "since", "songs", "albums", "artists", "genres"],
  additionalProperties: false,
  properties: {
    generation: { type: "integer", minimum: 0, description: "The server's current scan generation: the next `since`." },
    since: { type: "integer", minimum: 0 },
    songs: changesOfKind(),
    albums: changesOfKind(),
    artists: changesOfKind(),
    genres: changesOfKind()
  }
})

const schemas = (): JsonObject => ({
  Song: songSchema(),
  Album: namedEntity("album", "¡Uno!", albumId("¡Uno!")),
  Artist: namedEntity("artist", "Minor Threat", artistId("Minor Threat")),
  Genre: namedEntity("genre", "Punk Ska", genreId("Punk Ska")),
  SongsEnvelope: successEnvelope("Song"),
  Changes: changesSchema(),
  ChangesEnvelope: {
    type: "object",
    required: ["success", "errors", "warnings"],
    additionalProperties: false,
    properties: {
      success: ref("schemas", "Changes"),
      errors: { type: "array", maxItems: 0 },
      warnings: { type: "array", items: { type: "string" } }
    }
  },
  AlbumsEnvelope: successEnvelope("Album"),
  ArtistsEnvelope: successEnvelope("Artist"),
  GenresEnvelope: successEnvelope("Genre"),
  ErrorEnvelope: {
    type: "object",
    required: ["success", "errors", "warnings"],
    additionalProperties: false,
    properties: {
      success: { type: "null" },
      errors: { type: "array", items: ref("schemas", "Error"), minItems: 1, maxItems: 1 },
      warnings: { type: "array", items: { type: "string" } }
    }
  },
  Error: {
    type: "object",
    required: ["code", "message", "message_key", "payload"],
    additionalProperties: false,
    properties: {
      code: ref("schemas", "ErrorCode"),
      message: { type: "string", description: "Built from the payload (the original server's wording)." },
      message_key: { type: "string" },
      payload: { type: "object", additionalProperties: { type: ["string", "integer"] }, description: "The values the message was built from." }
    }
  }
})

const queryParameter = (name: string, description: string, schema: JsonObject): JsonObject =>
  ({ name, in: "query", required: false, description, schema })

const uuidInput = "^(urn:uuid:)?\\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\\}?$"

const listParameters = (endpoint: Endpoint): ReadonlyArray<JsonObject> => [
  queryParameter(
    "query",
    endpoint === "songs"
      ? "Prefix search ignoring case and accents (`bjork` finds `Björk`): a song matches when the query starts its name, a word of it or a trailing run of its words, or those of its album, artist or genre. An empty or blank query matches nothing."
      : "Prefix search ignoring case and accents (`bjork` finds `Björk`): an item matches when the query starts its name, a word of it or a trailing run of its words. An empty or blank query matches nothing.",
    { type: "string" }
  ),
  ...(endpoint === "songs"
    ? [
      ...(["album", "artist", "genre"] as const).map((entity) =>
        queryParameter(entity, `Only the songs whose ${entity} has exactly this name, in any letter case. An unknown name matches nothing.`, { type: "string" })
      ),
      ...(["album_id", "artist_id", "genre_id"] as const).map((field) =>
        queryParameter(
          field,
          `Only the songs of the ${field.slice(0, -3)} with this id: 32 hex digits, with or without hyphens, any letter case (braces and \`urn:uuid:\` allowed). Otherwise error 101.`,
          { type: "string", pattern: uuidInput }
        )
      )
    ]
    : []),
  queryParameter(
    "order",
    `Sort by this field, ties by \`id\`: strings by code point, numbers numerically. Any other value is error 100. Without it results come by \`name\`, then \`id\`; with \`query\` ranked by relevance first (for songs a title match before an artist, album, then genre match; an exact name before a name starting with the query before a later word).`,
    { type: "string", enum: [...orderFields[endpoint]] }
  ),
  queryParameter("direction", "`asc` (default) or `desc`. Only read with `order`; then anything else is error 102.", { type: "string", enum: ["asc", "desc"], default: "asc" }),
  queryParameter("limit", "At most this many results. An integer (Python `int` syntax: surrounding spaces, a sign and `_` between digits allowed); not an integer is error 101, negative is error 102.", { type: "integer", minimum: 0 }),
  queryParameter("offset", "Skip this many results first (after sorting); only applies with `limit`. Not an integer is error 101 (checked even without `limit`); negative is error 102 (checked only with `limit`).", { type: "integer", minimum: 0, default: 0 })
]

type Success = {
  readonly description: string
  readonly contentType: "application/json" | "text/plain" | "text/html"
  readonly schema: JsonObject
  readonly headers: ReadonlyArray<HeaderName>
}

/** One route's documentation; adding a route to routes.ts requires one of these. */
type Operation = {
  readonly tag: "Collection" | "Service" | "Documentation"
  readonly summary: string
  readonly description: string
  readonly parameters: ReadonlyArray<JsonObject>
  readonly success: Success
  readonly errors: ReadonlyArray<ErrorCase>
  readonly otherResponses?: Record<string, JsonObject>
}

type Cases = ReturnType<typeof errorCases>

const listHeaders: ReadonlyArray<HeaderName> = [
  "Content-Length",
  "ETag",
  "Last-Modified",
  "Cache-Control",
  "Vary",
  "Content-Encoding",
  "X-Total-Count",
  "Link",
  "X-Avalon-Generation"
]

const listOperation = (endpoint: Endpoint, cases: Cases, item: string): Operation => ({
  tag: "Collection",
  summary: `List ${endpoint}`,
  description: endpoint === "songs"
    ? "Songs matching every given filter (their intersection), sorted, then paged. Validation reports the first error in this order: a malformed `*_id`, then with `order` a bad `direction` before an unknown field, then `limit` and `offset` not integers, then negative."
    : `${item}s matching the filter, sorted, then paged. Validation reports the first error in this order: with \`order\` a bad \`direction\` before an unknown field, then \`limit\` and \`offset\` not integers, then negative.`,
  parameters: listParameters(endpoint),
  success: { description: `The ${endpoint}.`, contentType: "application/json", schema: ref("schemas", `${item}sEnvelope`), headers: listHeaders },
  errors: [
    ...(endpoint === "songs" ? [cases.malformedUuid] : []),
    cases.badDirection,
    cases.unknownOrderField,
    cases.notAnInteger,
    cases.negative,
    cases.unknown,
    cases.unavailable,
    cases.misconfigured
  ],
  otherResponses: {
    "304": {
      description: "Not modified: the request's `If-None-Match` names this answer's ETag (or `*`), or, without `If-None-Match`, `If-Modified-Since` is not older than `Last-Modified`. No body.",
      headers: headerRefs(["ETag", "Last-Modified", "Cache-Control", "Vary"])
    }
  }
})

const operations = (cases: Cases, version: string): Record<Route, Operation> => ({
  heartbeat: {
    tag: "Service",
    summary: "Is the server ready?",
    description: "`OKOKOK` once the collection is loaded. A request that arrives during start-up waits until loading completes.",
    parameters: [],
    success: { description: "Ready.", contentType: "text/plain", schema: { type: "string", const: "OKOKOK" }, headers: ["Content-Length"] },
    errors: [cases.unknown],
    otherResponses: {
      "503": { description: "Loading the collection failed (the server keeps retrying).", headers: headerRefs(["Content-Length"]), content: { "text/plain": { schema: { type: "string", const: "NONONO" } } } }
    }
  },
  version: {
    tag: "Service",
    summary: "The server's version",
    description: "The bare version string.",
    parameters: [],
    success: { description: "The version.", contentType: "text/plain", schema: { type: "string", examples: [version] }, headers: ["Content-Length"] },
    errors: [cases.unknown]
  },
  songs: listOperation("songs", cases, "Song"),
  albums: listOperation("albums", cases, "Album"),
  artists: listOperation("artists", cases, "Artist"),
  genres: listOperation("genres", cases, "Genre"),
  changes: {
    tag: "Collection",
    summary: "What changed since a scan generation",
    description: "The ids of the songs, albums, artists and genres added, changed and removed between scan generation `since` (the `X-Avalon-Generation` of an earlier answer) and now, each id once with its net change, so a client can sync without downloading everything.",
    parameters: [
      { name: "since", in: "query", required: true, description: "A scan generation, parsed like `limit`: missing or negative is error 102, not an integer 101; one the server has no changes for is 410.", schema: { type: "integer", minimum: 0 } }
    ],
    success: { description: "The changes.", contentType: "application/json", schema: ref("schemas", "ChangesEnvelope"), headers: ["Content-Length", "X-Avalon-Generation"] },
    errors: [cases.sinceMissing, cases.sinceNotAnInteger, cases.sinceNegative, cases.fullSyncRequired, cases.unknown, cases.unavailable, cases.misconfigured]
  },
  "openapi.json": {
    tag: "Documentation",
    summary: "This OpenAPI document",
    description: "Available at once, even while the collection is loading.",
    parameters: [],
    success: { description: "The OpenAPI 3.1 document.", contentType: "application/json", schema: { type: "object" }, headers: ["Content-Length"] },
    errors: []
  },
  docs: {
    tag: "Documentation",
    summary: "Interactive documentation",
    description: "A self-contained page that reads this document and lets you try each request. Available at once, even while the collection is loading.",
    parameters: [],
    success: { description: "The page.", contentType: "text/html", schema: { type: "string" }, headers: ["Content-Length", "Content-Security-Policy"] },
    errors: []
  }
})

const operationId = (route: Route): string =>
  `get${route.split(/[^a-z]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("")}`

const pathItem = (route: Route, operation: Operation): JsonObject => ({
  get: {
    operationId: operationId(route),
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    parameters: [...operation.parameters],
    responses: {
      "200": {
        description: operation.success.description,
        headers: headerRefs(operation.success.headers),
        content: { [operation.success.contentType]: { schema: operation.success.schema } }
      },
      ...errorResponses(operation.errors),
      ...operation.otherResponses
    }
  }
})

const description = `Read-only JSON about a music collection, compatible with clients of the original Avalon Music Server.

Every JSON answer is one object \`{"success": …, "errors": […], "warnings": []}\`: on success \`success\` is the list of results and \`errors\` is empty; on error \`success\` is null and \`errors\` holds one error \`{code, message, message_key, payload}\` (the \`ErrorCode\` schema lists every code). JSON is UTF-8 (\`application/json; charset=utf-8\`).

\`HEAD\` is answered like \`GET\` without a body. Any request may also get the errors under \`components.responses\`: an unknown path (404), another method on a known path (405), and the protocol errors (400, 408, 413, 414, 431, after which the connection is closed).

Query parameters: unknown ones are ignored, the first of repeated ones is used, and an empty value counts as given.`

/** The OpenAPI 3.1 document of the API served under `basePath` (REQUEST_PATH). */
export const openApiDocument = (basePath: string, version: string): JsonObject => {
  const cases = errorCases(routePrefix(basePath))
  const protocol = protocolErrorCases()
  const anyRequest = [cases.notFound, cases.methodNotAllowed, ...protocol]
  const everyCase = [...Object.values(cases), ...protocol]
  const byRoute = operations(cases, version)
  return {
    openapi: "3.1.0",
    info: { title: "Avalon Music Server", version, description },
    servers: [{ url: basePath, description: "This server (REQUEST_PATH)" }],
    tags: [
      { name: "Collection", description: "Songs, albums, artists and genres." },
      { name: "Service", description: "Readiness and version." },
      { name: "Documentation", description: "This document and its interactive page." }
    ],
    paths: Object.fromEntries(routeNames.map((route) => [`/${route}`, pathItem(route, byRoute[route])])),
    components: {
      schemas: { ...schemas(), ErrorCode: errorCodeSchema(everyCase) },
      responses: Object.fromEntries(anyRequest.map((entry) => [entry.name, errorResponse([entry])])),
      headers,
      examples: errorExamples(everyCase)
    }
  }
}
