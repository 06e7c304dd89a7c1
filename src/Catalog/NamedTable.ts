import type { NamedRow } from "../Domain/Collection.js"
import { writeJsonString } from "./ByteWriter.js"
import { type EntityTable, identityOrder, serializeEntities } from "./EntityTable.js"
import { defaultOrder, fieldOrder } from "./fieldOrders.js"
import { Marks } from "./Marks.js"
import { buildSearchIndex } from "./SearchIndex.js"

/** Albums, artists or genres: `{id, name}` objects. */
export type NamedTable = EntityTable & {
  readonly ids: ReadonlyArray<string>
  readonly names: ReadonlyArray<string>
  /** Entities by their plainly lowercased name (the `album`/`artist`/`genre` song filters). */
  readonly byLowerName: ReadonlyMap<string, Int32Array>
}

/** The fields of albums, artists and genres, in output order; `order` accepts each. */
export const namedFields = ["id", "name"] as const

/** `{"id":` and `,"name":`, shared by every entity's JSON. */
export const idKey = Buffer.from("{\"id\":")
export const nameKey = Buffer.from(",\"name\":")

export const buildNamedTable = (table: ReadonlyArray<NamedRow>): NamedTable => {
  const size = table.length
  const { entityOfRow, idOrder, rows } = defaultOrder(size, (row) => table[row]!.id, (row) => table[row]!.name)
  const ids = new Array<string>(size)
  const names = new Array<string>(size)
  for (let e = 0; e < size; e++) {
    const row = table[rows[e]!]!
    ids[e] = row.id
    names[e] = row.name
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
    writeJsonString(out, ids[e]!)
    out.bytes(nameKey)
    writeJsonString(out, names[e]!)
    out.byte(0x7d)
  })
  return {
    size,
    body,
    starts,
    fields: new Map(namedFields.map((field) => [field, field === "id" ? fieldOrder(idOrder) : identityOrder])),
    search: buildSearchIndex(size, (row) => table[row]!.name, (row) => entityOfRow[row]!),
    marks: new Marks(size),
    ids,
    names,
    byLowerName
  }
}
