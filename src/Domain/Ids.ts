import { createHash } from "node:crypto"
import { fsPath } from "./pathText.js"

export const Namespaces = {
  album: "7655e605-6eaa-40d8-a25f-5c6c92a4d31a",
  artist: "fe4df0f6-2c55-4ba6-acf3-134eae3e710e",
  genre: "dd8dbd9c-8ed7-4719-80c5-71d978665dd0",
  song: "4151ace3-6a98-41cd-a3de-8c242654cb67"
} as const

const namespaceBytes = (namespace: string): Buffer => Buffer.from(namespace.replace(/-/g, ""), "hex")

const cachedNamespaces = new Map<string, Buffer>()

export const hyphenate = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`

/** RFC 4122 version 5 UUID of `name` (UTF-8, or bytes) in `namespace`, lowercase and hyphenated. */
export const uuidV5 = (namespace: string, name: string | Buffer): string => {
  let ns = cachedNamespaces.get(namespace)
  if (ns === undefined) {
    ns = namespaceBytes(namespace)
    cachedNamespaces.set(namespace, ns)
  }
  const hash = createHash("sha1").update(ns)
  if (typeof name === "string") hash.update(name, "utf8")
  else hash.update(name)
  const digest = hash.digest()
  digest[6] = (digest[6]! & 0x0f) | 0x50
  digest[8] = (digest[8]! & 0x3f) | 0x80
  return hyphenate(digest.subarray(0, 16).toString("hex"))
}

export const albumId = (name: string): string => uuidV5(Namespaces.album, name.toLowerCase())
export const artistId = (name: string): string => uuidV5(Namespaces.artist, name.toLowerCase())
export const genreId = (name: string): string => uuidV5(Namespaces.genre, name.toLowerCase())
/** From the path's bytes: its UTF-8 for a text path, the raw bytes for the `bytes:` form of a path that is not UTF-8. */
export const songId = (absolutePath: string): string => uuidV5(Namespaces.song, fsPath(absolutePath))

const hex32 = /^[0-9a-fA-F]{32}$/

/** Parses a UUID the way Python's `uuid.UUID(str)` does (hyphens anywhere, braces, `urn:uuid:`); undefined when malformed. */
export const parseUuid = (text: string): string | undefined => {
  const hex = text.replaceAll("urn:", "").replaceAll("uuid:", "").replace(/^[{}]+|[{}]+$/g, "").replaceAll("-", "")
  return hex32.test(hex) ? hyphenate(hex.toLowerCase()) : undefined
}

/** Any stored spelling (32 hex chars in SQLite, native uuid in PostgreSQL) to the canonical form. */
export const canonicalUuid = (stored: string): string => {
  const hex = stored.replace(/-/g, "").toLowerCase()
  return hyphenate(hex)
}

export const compactUuid = (uuid: string): string =>
  uuid.length === 36 && uuid[8] === "-" && uuid[13] === "-" && uuid[18] === "-" && uuid[23] === "-"
    ? uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
    : uuid.replace(/-/g, "")

const hexValues = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) {
  hexValues["0123456789abcdef".charCodeAt(i)] = i
  hexValues["0123456789ABCDEF".charCodeAt(i)] = i
}
/** The value of a hex digit (either case), -1 for any other UTF-16 unit. */
export const hexValue = (unit: number): number => (unit < 128 ? hexValues[unit]! : -1)

/**
 * Writes the 16 bytes of a stored UUID (32 hex digits, either case, hyphens anywhere: SQLite holds
 * them bare, PostgreSQL hyphenated) to `out[at .. at + 15]`; false when `text` is not such a UUID.
 */
export const writeUuidBytes = (text: string, out: Uint8Array, at: number): boolean => {
  let written = 0
  let high = -1
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit === 0x2d) continue
    const value = hexValue(unit)
    if (value < 0 || written === 16) return false
    if (high < 0) high = value
    else {
      out[at + written++] = (high << 4) | value
      high = -1
    }
  }
  return written === 16 && high < 0
}

/** The lowercase hyphenated spelling of the 16 bytes at `bytes[at .. at + 15]`. */
export const uuidText = (bytes: Uint8Array, at: number): string =>
  hyphenate(Buffer.from(bytes.buffer, bytes.byteOffset + at, 16).toString("hex"))
