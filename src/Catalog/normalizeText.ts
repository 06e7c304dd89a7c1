/**
 * Whitespace as Python's `str.isspace()` / `str.split()` / `str.strip()` see it
 * (the original server tokenized names with `str.split()`).
 */
export const pythonWhitespace = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"

const runs = new RegExp(`[${pythonWhitespace}]+`)
const any = new RegExp(`[${pythonWhitespace}]`)
const otherThanSpace = new RegExp(`[${pythonWhitespace.replace(" ", "")}]`)
const nonAscii = /[^\x00-\x7f]/
const combiningMark = /\p{Mn}/u
const combiningMarks = /\p{Mn}/gu

const isWhitespace = (unit: number): boolean =>
  unit <= 0x20
    ? unit === 0x20 || (unit >= 0x09 && unit <= 0x0d) || (unit >= 0x1c && unit <= 0x1f)
    : unit >= 0x85 && (unit === 0x85 || unit === 0xa0 || unit === 0x1680 || (unit >= 0x2000 && unit <= 0x200a) ||
      unit === 0x2028 || unit === 0x2029 || unit === 0x202f || unit === 0x205f || unit === 0x3000)

/** Python's `str.strip()`. */
export const trimWhitespace = (text: string): string => {
  let start = 0
  let end = text.length
  while (start < end && isWhitespace(text.charCodeAt(start))) start++
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

/** Search normalization (api.md): NFD, drop every combining mark (Mn), lowercase, trim whitespace. */
export const normalizeText = (text: string): string => {
  if (!nonAscii.test(text)) return trimWhitespace(text.toLowerCase())
  const decomposed = text.normalize("NFD")
  const stripped = combiningMark.test(decomposed) ? decomposed.replace(combiningMarks, "") : decomposed
  return trimWhitespace(stripped.toLowerCase())
}

export const hasWhitespace = (text: string): boolean => any.test(text)

/** True when the only whitespace in `text` is single spaces (so its words joined by " " give it back, once trimmed). */
export const isSingleSpaced = (text: string): boolean => !otherThanSpace.test(text) && !text.includes("  ")

/** The words of an already normalized (hence trimmed) name; `[]` for an empty name. */
export const splitWords = (normalized: string): Array<string> =>
  normalized === "" ? [] : isSingleSpaced(normalized) ? normalized.split(" ") : normalized.split(runs)

/**
 * The tokens a normalized name is indexed under (api.md): the whole name, each word, and each
 * trailing run of two or more words shorter than the whole ("This Is Giving Up" gives
 * `this is giving up`, `this`, `is`, `giving`, `up`, `is giving up`, `giving up`). Duplicates removed.
 */
export const nameTokens = (normalized: string): Array<string> => {
  if (normalized === "") return []
  const words = splitWords(normalized)
  const tokens = new Set<string>([normalized, ...words])
  for (let i = 1; i < words.length - 1; i++) tokens.add(words.slice(i).join(" "))
  return [...tokens]
}
