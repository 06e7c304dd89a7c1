import { ByteWriter } from "./ByteWriter.js"
import type { Marks } from "./Marks.js"
import type { SearchIndex } from "./SearchIndex.js"

export const successPrefix = "{\"success\":["
export const successSuffix = "],\"errors\":[],\"warnings\":[]}"
const prefixBytes = Buffer.from(successPrefix)
const suffixBytes = Buffer.from(successSuffix)
const comma = 0x2c

/** One orderable field: entities in ascending (field, id) order and each entity's position in it. */
export type FieldOrder = {
  /** `order[p]` is the entity at ascending position `p`; undefined for the default order (the identity). */
  readonly order: Int32Array | undefined
  /** `rank[e]` is the position of entity `e` in `order`; undefined for the default order. */
  readonly rank: Int32Array | undefined
}

/**
 * The entities of one endpoint, numbered in the default order (name, then id), with their JSON
 * pre-serialized once into the full-list response body.
 */
export type EntityTable = {
  readonly size: number
  /** The complete response body for the endpoint without parameters. */
  readonly body: Buffer
  /** Entity `e` is `body[starts[e] .. starts[e + 1] - 2]` (a comma separates neighbours). */
  readonly starts: Uint32Array
  /** The fields `order` accepts. */
  readonly fields: ReadonlyMap<string, FieldOrder>
  readonly search: SearchIndex
  /** Scratch space for the set operations of queries (see Marks). */
  readonly marks: Marks
}

export const identityOrder: FieldOrder = { order: undefined, rank: undefined }

/** Serializes every entity once, in order, into a full success envelope. */
export const serializeEntities = (
  size: number,
  write: (entity: number, out: ByteWriter) => void
): { readonly body: Buffer; readonly starts: Uint32Array } => {
  const starts = new Uint32Array(size + 1)
  const out = new ByteWriter(4096)
  out.bytes(prefixBytes)
  for (let e = 0; e < size; e++) {
    // Once the average entity size is known, allocate (about) the whole body at once.
    if (e === 256) out.reserve(Math.ceil((out.length / e) * (size - e) * 1.1))
    starts[e] = out.length
    write(e, out)
    out.byte(comma)
  }
  starts[size] = out.length
  if (size > 0) out.replaceLast(suffixBytes)
  else out.bytes(suffixBytes)
  return { body: out.finish(), starts }
}

const emptyBody = Buffer.from(successPrefix + successSuffix)

/** The success envelope for the entities `from .. to - 1` in default order. */
export const renderRange = (table: EntityTable, from: number, to: number): Buffer => {
  if (from >= to) return emptyBody
  if (from === 0 && to === table.size) return table.body
  const start = table.starts[from]!
  const end = table.starts[to]! - 1
  const out = Buffer.allocUnsafe(prefixBytes.length + (end - start) + suffixBytes.length)
  prefixBytes.copy(out, 0)
  table.body.copy(out, prefixBytes.length, start, end)
  suffixBytes.copy(out, prefixBytes.length + (end - start))
  return out
}

/** The success envelope for `entities`, in that order (runs of consecutive entities copied at once). */
export const renderEntities = (table: EntityTable, entities: Int32Array): Buffer => {
  const count = entities.length
  if (count === 0) return emptyBody
  const { body, starts } = table
  let bytes = prefixBytes.length + suffixBytes.length + count - 1
  for (let i = 0; i < count; i++) {
    const e = entities[i]!
    bytes += starts[e + 1]! - 1 - starts[e]!
  }
  const out = Buffer.allocUnsafe(bytes)
  prefixBytes.copy(out, 0)
  let at = prefixBytes.length
  let i = 0
  while (i < count) {
    const first = entities[i]!
    let last = first
    while (i + 1 < count && entities[i + 1] === last + 1) {
      last++
      i++
    }
    i++
    at += body.copy(out, at, starts[first]!, starts[last + 1]! - 1)
    if (i < count) out[at++] = comma
  }
  suffixBytes.copy(out, at)
  return out
}
