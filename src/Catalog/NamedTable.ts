import type { NamedColumns } from "../Domain/Collection.js"
import { bodyJson, type EntityTable, identityOrder, serializeEntities } from "./EntityTable.js"
import { defaultOrder, lazyFieldOrder } from "./fieldOrders.js"
import { IdMap } from "./IdMap.js"
import { Marks } from "./Marks.js"
import { buildSearchIndex } from "./SearchIndex.js"

/** Albums, artists or genres: `{id, name}` objects. */
export type NamedTable = EntityTable & {
  /** Entities by their plainly lowercased name (the `album`/`artist`/`genre` song filters). */
  readonly byLowerName: ReadonlyMap<string, Int32Array>
}

/** The fields of albums, artists and genres, in output order; `order` accepts each. */
export const namedFields = ["id", "name"] as const

/** A named table with what the song table needs of it while it is built (not kept in the catalog). */
export type NamedTableBuild = {
  readonly table: NamedTable
  /** Entity `e` has the id `ids[16 e .. 16 e + 15]` and the name `names[e]`. */
  readonly ids: Uint8Array
  readonly names: ReadonlyArray<string>
  /** The distinct ids; `entityOfKey[k]` is the first entity (in default order) with the id of key `k`. */
  readonly idMap: IdMap
  readonly entityOfKey: Int32Array
}

/** `{"id":` and `,"name":`, shared by every entity's JSON. */
export const idKey = Buffer.from("{\"id\":")
export const nameKey = Buffer.from(",\"name\":")

export const buildNamedTable = (columns: NamedColumns): NamedTableBuild => {
  const { size } = columns
  const { entityOfRow, idOrder, rows } = defaultOrder(size, columns.ids, columns.names)
  const ids = new Uint8Array(16 * size)
  const names = new Array<string>(size)
  for (let e = 0; e < size; e++) {
    const row = rows[e]!
    ids.set(columns.ids.subarray(16 * row, 16 * row + 16), 16 * e)
    names[e] = columns.names[row]!
  }
  const idMap = new IdMap(size)
  const entityOfKey = new Int32Array(size)
  for (let e = 0; e < size; e++) {
    const known = idMap.size
    const key = idMap.add(ids, 16 * e)
    if (key === known) entityOfKey[key] = e
  }
  const lower = new Map<string, Array<number>>()
  for (let e = 0; e < size; e++) {
    const key = names[e]!.toLowerCase()
    const list = lower.get(key)
    if (list === undefined) lower.set(key, [e])
    else list.push(e)
  }
  const byLowerName = new Map<string, Int32Array>()
  for (const [key, list] of lower) byLowerName.set(key, Int32Array.from(list))
  const { body, starts } = serializeEntities(size, (e, out) => {
    out.bytes(idKey)
    out.uuid(ids, 16 * e)
    out.bytes(nameKey)
    out.jsonString(names[e]!)
    out.byte(0x7d)
  })
  const table: NamedTable = {
    size,
    body,
    isBody: (buffer) => buffer === body,
    json: bodyJson(body, starts),
    fields: new Map(namedFields.map((field) => [field, field === "id" ? lazyFieldOrder(idOrder) : identityOrder])),
    search: buildSearchIndex(size, (row) => columns.names[row]!, (row) => entityOfRow[row]!),
    marks: new Marks(size),
    byLowerName
  }
  return { table, ids, names, idMap, entityOfKey }
}
