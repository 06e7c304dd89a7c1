/** A JSON document walked by the tests (an OpenAPI document, a response body). */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The value a local JSON pointer (`#/components/schemas/Song`) names in `root`, undefined when none. */
export const resolvePointer = (root: Json, pointer: string): Json | undefined => {
  if (!pointer.startsWith("#/")) return undefined
  let node: Json | undefined = root
  for (const raw of pointer.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~")
    node = isObject(node) ? node[key] : undefined
  }
  return node
}

/** Follows `$ref`s until a value that is not a reference. */
export const deref = (root: Json, value: Json | undefined): Json | undefined => {
  let node = value
  for (let depth = 0; isObject(node) && typeof node.$ref === "string"; depth++) {
    if (depth > 16) throw new Error(`reference cycle at ${node.$ref}`)
    node = resolvePointer(root, node.$ref)
  }
  return node
}

/** Every `$ref` string anywhere in `value`. */
export const references = (value: Json): Array<string> => {
  if (Array.isArray(value)) return value.flatMap(references)
  if (!isObject(value)) return []
  return Object.entries(value).flatMap(([key, child]) => key === "$ref" && typeof child === "string" ? [child] : references(child))
}

const annotations = new Set(["description", "title", "examples", "default", "format"])
const checked = new Set(["$ref", "type", "const", "enum", "pattern", "minimum", "required", "properties", "additionalProperties", "items", "minItems", "maxItems", "oneOf"])

const typeOf = (value: Json): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value

const hasType = (value: Json, type: string): boolean =>
  type === typeOf(value) || (type === "number" && typeof value === "number")

/**
 * The ways `value` breaks `schema` (empty when it conforms), for the JSON Schema keywords the OpenAPI
 * document uses. A keyword this checker does not know is reported too, so that a schema it cannot
 * check never passes silently.
 */
export const schemaErrors = (root: Json, schema: Json | undefined, value: Json, at = "$"): Array<string> => {
  if (!isObject(schema)) return [`${at}: no schema`]
  if (typeof schema.$ref === "string") return schemaErrors(root, resolvePointer(root, schema.$ref), value, at)
  const errors: Array<string> = []
  for (const keyword of Object.keys(schema)) {
    if (!annotations.has(keyword) && !checked.has(keyword)) errors.push(`${at}: unchecked keyword ${keyword}`)
  }
  const { type } = schema
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type]
    if (!types.some((candidate) => typeof candidate === "string" && hasType(value, candidate))) errors.push(`${at}: ${typeOf(value)} is not ${types.join("|")}`)
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${at}: not ${JSON.stringify(schema.const)}`)
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  }
  if (typeof schema.pattern === "string" && typeof value === "string" && !new RegExp(schema.pattern, "u").test(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
  }
  if (typeof schema.minimum === "number" && typeof value === "number" && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`)
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`)
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`)
    if (schema.items !== undefined) value.forEach((item, i) => errors.push(...schemaErrors(root, schema.items, item, `${at}[${i}]`)))
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {}
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) if (typeof name === "string" && !(name in value)) errors.push(`${at}: missing ${name}`)
    }
    for (const [name, child] of Object.entries(value)) {
      if (name in properties) errors.push(...schemaErrors(root, properties[name], child, `${at}.${name}`))
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected ${name}`)
      else if (isObject(schema.additionalProperties)) errors.push(...schemaErrors(root, schema.additionalProperties, child, `${at}.${name}`))
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter((option) => schemaErrors(root, option, value, at).length === 0).length
    if (matching !== 1) errors.push(`${at}: ${JSON.stringify(value)} matches ${matching} of oneOf, not 1`)
  }
  return errors
}
