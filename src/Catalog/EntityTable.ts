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
 * The JSON of a table's entities in default order, as runs of consecutive entities (separated by commas, the
 * way a list holds them).
 */
export type EntityJson = {
  /** The bytes of entities `first .. last`. */
  readonly runLength: (first: number, last: number) => number
  /** Writes entities `first .. last` at `out[at ..]`; returns the position after them. */
  readonly writeRun: (first: number, last: number, out: Buffer, at: number) => number
}

/**
 * The entities of one endpoint, numbered in the default order (name, then id), with their JSON
 * pre-serialized once.
 */
export type EntityTable = {
  readonly size: number
  /** The complete response body for the endpoint without parameters (made on first use where not kept). */
  readonly body: Buffer
  /** Whether `buffer` is `body`, without making a body that is made on first use. */
  readonly isBody: (buffer: Buffer) => boolean
  readonly json: EntityJson
  /** The fields `order` accepts. */
  readonly fields: ReadonlyMap<string, FieldOrder>
  readonly search: SearchIndex
  /** Scratch space for the set operations of queries (see Marks). */
  readonly marks: Marks
}

export const identityOrder: FieldOrder = { order: undefined, rank: undefined }

/**
 * Serializes every entity once, in order, into a full success envelope: its `body`, and the JSON of entity
 * `e` is `body[starts[e] .. starts[e + 1] - 2]` (a comma separates neighbours).
 */
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

/** The runs of a body that `serializeEntities` made. */
export const bodyJson = (body: Buffer, starts: Uint32Array): EntityJson => ({
  runLength: (first, last) => starts[last + 1]! - 1 - starts[first]!,
  writeRun: (first, last, out, at) => at + body.copy(out, at, starts[first]!, starts[last + 1]! - 1)
})

/** The full success envelope of `size` entities. */
export const fullBody = (size: number, json: EntityJson): Buffer => envelope(json, 0, size)

const emptyBody = Buffer.from(successPrefix + successSuffix)

const envelope = (json: EntityJson, from: number, to: number): Buffer => {
  if (from >= to) return emptyBody
  const length = json.runLength(from, to - 1)
  const out = Buffer.allocUnsafe(prefixBytes.length + length + suffixBytes.length)
  prefixBytes.copy(out, 0)
  const at = json.writeRun(from, to - 1, out, prefixBytes.length)
  suffixBytes.copy(out, at)
  return out
}

/** The success envelope for the entities `from .. to - 1` in default order. */
export const renderRange = (table: EntityTable, from: number, to: number): Buffer =>
  from === 0 && to === table.size && to > 0 ? table.body : envelope(table.json, from, to)

/** The success envelope for `entities`, in that order (runs of consecutive entities copied at once). */
export const renderEntities = (table: EntityTable, entities: Int32Array): Buffer => {
  const count = entities.length
  if (count === 0) return emptyBody
  const { json } = table
  let bytes = prefixBytes.length + suffixBytes.length - 1
  for (let i = 0; i < count; i++) {
    const first = entities[i]!
    let last = first
    while (i + 1 < count && entities[i + 1] === last + 1) {
      last++
      i++
    }
    bytes += json.runLength(first, last) + 1
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
    at = json.writeRun(first, last, out, at)
    if (i < count) out[at++] = comma
  }
  suffixBytes.copy(out, at)
  return out
}
