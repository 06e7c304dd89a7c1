import { isUtf8 } from "node:buffer"
import { sep } from "node:path"

/**
 * File paths are bytes; the scan keeps them as text (in the scan state, in logs, as map keys). A path whose
 * bytes are valid UTF-8 is that text. One that is not (a name written under another encoding, such as Latin-1
 * `caf\xe9.mp3`) is written `bytes:` followed by the path with each byte that is not part of a valid UTF-8
 * sequence as `\xHH` and each backslash doubled: `bytes:/music/caf\xe9.mp3`. That text is valid UTF-8 (PostgreSQL
 * stores nothing else), gives the bytes back exactly (`fsPath`), and never equals another file's path (those are
 * absolute: they begin with "/"). The bytes escaped are those Python's `surrogateescape` escapes.
 */
export const nonUtf8Prefix = "bytes:"

const backslash = 0x5c

/** Length of the valid UTF-8 sequence at `at` (1–4), or 0 when the byte there does not begin one. */
const sequenceLength = (bytes: Uint8Array, at: number): number => {
  const first = bytes[at]!
  if (first < 0x80) return 1
  const continuation = (offset: number, min = 0x80, max = 0xbf): boolean => {
    const byte = bytes[at + offset]
    return byte !== undefined && byte >= min && byte <= max
  }
  if (first >= 0xc2 && first <= 0xdf) return continuation(1) ? 2 : 0
  if (first >= 0xe0 && first <= 0xef) {
    // No overlong forms (E0 80–9F) and no surrogates (ED A0–BF).
    const second = first === 0xe0 ? continuation(1, 0xa0) : first === 0xed ? continuation(1, 0x80, 0x9f) : continuation(1)
    return second && continuation(2) ? 3 : 0
  }
  if (first >= 0xf0 && first <= 0xf4) {
    // No overlong forms (F0 80–8F), nothing above U+10FFFF (F4 90–BF).
    const second = first === 0xf0 ? continuation(1, 0x90) : first === 0xf4 ? continuation(1, 0x80, 0x8f) : continuation(1)
    return second && continuation(2) && continuation(3) ? 4 : 0
  }
  return 0
}

const escapeText = (text: string): string => text.replaceAll("\\", "\\\\")

const escapeBytes = (bytes: Buffer): string => {
  let text = ""
  let validFrom = 0
  for (let at = 0; at < bytes.length;) {
    const length = sequenceLength(bytes, at)
    if (length > 0) {
      at += length
      continue
    }
    text += escapeText(bytes.toString("utf8", validFrom, at)) + `\\x${bytes[at]!.toString(16).padStart(2, "0")}`
    validFrom = ++at
  }
  return text + escapeText(bytes.toString("utf8", validFrom))
}

/** The text form of a path's bytes. */
export const pathText = (bytes: Buffer): string => (isUtf8(bytes) ? bytes.toString("utf8") : nonUtf8Prefix + escapeBytes(bytes))

/**
 * The text form of `folder`/`name`: `folder` absolute, in text form; `name` as `readdir` gives it (bytes for a name
 * that is not UTF-8).
 */
export const childPathText = (folder: string, name: string | Buffer): string => {
  const join = (base: string, child: string): string => (base.endsWith(sep) ? `${base}${child}` : `${base}${sep}${child}`)
  const escapedFolder = folder.startsWith(nonUtf8Prefix)
  if (typeof name !== "string" && !isUtf8(name)) {
    return escapedFolder ? join(folder, escapeBytes(name)) : nonUtf8Prefix + join(escapeText(folder), escapeBytes(name))
  }
  const text = typeof name === "string" ? name : name.toString("utf8")
  return join(folder, escapedFolder ? escapeText(text) : text)
}

const escapes = /\\(?:\\|x([0-9a-f]{2}))/g

/** What the file system takes for a path in text form: the text itself, or the bytes of a `bytes:` path. */
export const fsPath = (path: string): string | Buffer => {
  if (!path.startsWith(nonUtf8Prefix)) return path
  const text = path.slice(nonUtf8Prefix.length)
  const parts: Array<Buffer> = []
  let last = 0
  for (const match of text.matchAll(escapes)) {
    parts.push(Buffer.from(text.slice(last, match.index), "utf8"), Buffer.of(match[1] === undefined ? backslash : Number.parseInt(match[1], 16)))
    last = match.index + match[0].length
  }
  parts.push(Buffer.from(text.slice(last), "utf8"))
  return Buffer.concat(parts)
}
