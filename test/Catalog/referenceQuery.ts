/**
 * A deliberately naive implementation of the api.md query rules, used as an oracle for the indexed
 * implementation on random collections. Shares no code with src/Catalog.
 */
import type { CollectionRows } from "../../src/Domain/Collection.js"
import { parseUuid } from "../../src/Domain/Ids.js"

type Item = Record<string, string | number>
export type Outcome =
  | { readonly ok: true; readonly items: ReadonlyArray<Item>; readonly total: number }
  | { readonly ok: false; readonly code: number; readonly payload: Record<string, string | bigint> }

const ws = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
const edges = new RegExp(`^${ws}+|${ws}+$`, "g")
const runs = new RegExp(`${ws}+`)
const folds: Array<[RegExp, string]> = [
  [/[øØ]/g, "o"],
  [/[æÆ]/g, "ae"],
  [/[œŒ]/g, "oe"],
  [/[ßẞ]/g, "ss"],
  [/[łŁ]/g, "l"],
  [/[đĐðÐ]/g, "d"],
  [/[þÞ]/g, "th"],
  [/ı/g, "i"],
  [/[‘’‚‛′ʼ´]/g, "'"],
  [/[“”„‟″]/g, "\""],
  [/[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63]/g, "-"],
  [/[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, " "]
]
const searchable = (s: string): string => {
  let text = s.normalize("NFD").replace(/\p{Mn}/gu, "")
  for (const [pattern, replacement] of folds) text = text.replace(pattern, replacement)
  return text.toLowerCase().replace(edges, "")
}

const tokenCache = new Map<string, Array<string>>()
const tokens = (name: string): Array<string> => {
  const cached = tokenCache.get(name)
  if (cached !== undefined) return cached
  const computed = computeTokens(name)
  tokenCache.set(name, computed)
  return computed
}

const computeTokens = (name: string): Array<string> => {
  const term = searchable(name)
  if (term === "") return []
  const parts = term.split(runs)
  const out = [term, ...parts]
  for (let i = 1; i < parts.length - 1; i++) out.push(parts.slice(i).join(" "))
  return out
}

const matches = (name: string, q: string): boolean => q !== "" && tokens(name).some((token) => token.startsWith(q))

/** README "Search": 0 the whole name is the query, 1 it starts with it, 2 a later word (run) does; undefined: no match. */
const tier = (name: string, q: string): number | undefined => {
  if (!matches(name, q)) return undefined
  const whole = tokens(name)[0]!
  return whole === q ? 0 : whole.startsWith(q) ? 1 : 2
}

const pyInt = (text: string): bigint | undefined => {
  // ASCII-only subset of Python's int(); the random parameters stay within it.
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+(?:_[0-9]+)*)[ \t\n\v\f\r]*$/.exec(text)
  if (m === null) return undefined
  const v = BigInt(m[2]!.replaceAll("_", ""))
  return m[1] === "-" ? -v : v
}

const codePointCache = new Map<string, Array<number>>()
const codePoints = (text: string): Array<number> => {
  let points = codePointCache.get(text)
  if (points === undefined) {
    points = Array.from(text, (c) => c.codePointAt(0)!)
    codePointCache.set(text, points)
  }
  return points
}

const compare = (a: string | number, b: string | number): number => {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0
  const x = codePoints(String(a))
  const y = codePoints(String(b))
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

export const referenceQuery = (
  rows: CollectionRows,
  endpoint: "songs" | "albums" | "artists" | "genres",
  params: ReadonlyMap<string, string>
): Outcome => {
  const lookups = new Map<CollectionRows["albums"], Map<string, string>>()
  const nameOf = (table: CollectionRows["albums"], id: string): string | undefined => {
    let lookup = lookups.get(table)
    if (lookup === undefined) {
      lookup = new Map()
      for (const row of table) if (!lookup.has(row.id)) lookup.set(row.id, row.name)
      lookups.set(table, lookup)
    }
    return lookup.get(id)
  }
  const items: Array<Item> = endpoint === "songs"
    ? rows.songs.map((s) => ({
      id: s.id,
      name: s.name,
      length: s.length,
      track: s.track,
      year: s.year,
      album: nameOf(rows.albums, s.album_id) ?? "",
      album_id: s.album_id,
      artist: nameOf(rows.artists, s.artist_id) ?? "",
      artist_id: s.artist_id,
      genre: nameOf(rows.genres, s.genre_id) ?? "",
      genre_id: s.genre_id
    }))
    : rows[endpoint].map((r) => ({ id: r.id, name: r.name }))

  const ids: Array<[string, string]> = []
  if (endpoint === "songs") {
    for (const field of ["album_id", "artist_id", "genre_id"]) {
      const raw = params.get(field)
      if (raw === undefined) continue
      const id = parseUuid(raw)
      if (id === undefined) return { ok: false, code: 101, payload: { field, value: raw } }
      ids.push([field, id])
    }
  }
  const order = params.get("order")
  const direction = params.get("direction") ?? "asc"
  if (order !== undefined) {
    if (direction !== "asc" && direction !== "desc") return { ok: false, code: 102, payload: { direction } }
    const fields = endpoint === "songs"
      ? ["id", "name", "length", "track", "year", "album", "album_id", "artist", "artist_id", "genre", "genre_id"]
      : ["id", "name"]
    if (!fields.includes(order)) return { ok: false, code: 100, payload: { field: order } }
  }
  const rawLimit = params.get("limit")
  const rawOffset = params.get("offset")
  const limit = rawLimit === undefined ? undefined : pyInt(rawLimit)
  if (rawLimit !== undefined && limit === undefined) return { ok: false, code: 101, payload: { field: "limit", value: rawLimit } }
  const offset = rawOffset === undefined ? undefined : pyInt(rawOffset)
  if (rawOffset !== undefined && offset === undefined) {
    return { ok: false, code: 101, payload: { field: "offset", value: rawOffset } }
  }
  if (limit !== undefined && limit < 0n) return { ok: false, code: 102, payload: { field: "limit", value: limit } }
  if (limit !== undefined && offset !== undefined && offset < 0n) {
    return { ok: false, code: 102, payload: { field: "offset", value: offset } }
  }

  let selected = items
  const query = params.get("query")
  // Relevance of each selected item when the query is ranked (no order): the best of (field, tier).
  const relevance = new Map<Item, number>()
  if (query !== undefined) {
    const q = searchable(query)
    selected = selected.filter((item) => {
      const fields = endpoint === "songs"
        ? [
          String(item.name),
          nameOf(rows.artists, String(item.artist_id)),
          nameOf(rows.albums, String(item.album_id)),
          nameOf(rows.genres, String(item.genre_id))
        ]
        : [String(item.name)]
      for (let f = 0; f < fields.length; f++) {
        const name = fields[f]
        const t = name === undefined ? undefined : tier(name, q)
        if (t !== undefined) {
          relevance.set(item, 3 * f + t)
          return true
        }
      }
      return false
    })
  }
  if (endpoint === "songs") {
    for (const [field, table] of [["album", rows.albums], ["artist", rows.artists], ["genre", rows.genres]] as const) {
      const raw = params.get(field)
      if (raw === undefined) continue
      selected = selected.filter((item) => {
        const name = nameOf(table, String(item[`${field}_id`]))
        return name !== undefined && name.toLowerCase() === raw.toLowerCase()
      })
    }
    for (const [field, id] of ids) selected = selected.filter((item) => item[field] === id)
  }
  const key = order ?? "name"
  const ranked = query !== undefined && order === undefined
  const sorted = [...selected].sort((a, b) =>
    (ranked ? relevance.get(a)! - relevance.get(b)! : 0) || compare(a[key]!, b[key]!) || compare(a.id!, b.id!)
  )
  if (order !== undefined && direction === "desc") sorted.reverse()
  const total = sorted.length
  if (limit === undefined) return { ok: true, items: sorted, total }
  const from = offset === undefined ? 0n : offset
  const start = from > BigInt(total) ? total : Number(from)
  const end = BigInt(start) + limit > BigInt(total) ? total : start + Number(limit)
  return { ok: true, items: sorted.slice(start, end), total }
}
