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

/**
 * Letters that do not decompose under NFD, folded like their ASCII look-alikes, and typographic
 * variants of ASCII punctuation and space. Each maps one character to a non-empty text of
 * non-whitespace (or a space to a space), so folding only ever merges: whatever matched before
 * still matches.
 */
const foldings: ReadonlyArray<readonly [string, string]> = [
  ["øØ", "o"],
  ["æÆ", "ae"],
  ["œŒ", "oe"],
  ["ßẞ", "ss"],
  ["łŁ", "l"],
  ["đĐðÐ", "d"],
  ["þÞ", "th"],
  ["ı", "i"],
  ["\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4", "'"],
  ["\u201c\u201d\u201e\u201f\u2033", "\""],
  ["\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63", "-"],
  ["\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "]
]

/** Per BMP code unit: 0 not yet known, 1 combining mark (Mn), 2 anything else, 3 + k folded to `foldedTexts[k]`. */
const unitKinds = new Uint8Array(0x10000)
const foldedTexts: Array<string> = []
for (const [characters, folded] of foldings) {
  for (const character of characters) unitKinds[character.charCodeAt(0)] = 3 + foldedTexts.length
  foldedTexts.push(folded)
}

const MARK = 1

const kindOf = (unit: number): number => {
  let known = unitKinds[unit]!
  if (known === 0) {
    known = combiningMark.test(String.fromCharCode(unit)) ? MARK : 2
    unitKinds[unit] = known
  }
  return known
}

/**
 * Removes every Mn character (the equivalent of `replace(/\p{Mn}/gu, "")`, several times faster)
 * and folds the characters of `foldings`.
 */
const stripMarksAndFold = (text: string): string => {
  let out = ""
  let kept = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0xa0) continue
    if (unit >= 0xd800 && unit < 0xdc00) {
      // Astral marks are rare: let the regex judge the pair.
      const pair = text.slice(i, i + 2)
      if (combiningMark.test(pair)) {
        out += text.slice(kept, i)
        kept = i + pair.length
      }
      i += pair.length - 1
      continue
    }
    const kind = kindOf(unit)
    if (kind === 2) continue
    out += text.slice(kept, i)
    if (kind !== MARK) out += foldedTexts[kind - 3]!
    kept = i + 1
  }
  return kept === 0 ? text : out + text.slice(kept)
}

/**
 * Search normalization (api.md, README "Search"): NFD, drop every combining mark (Mn), fold the
 * letters that do not decompose and typographic variants (`foldings`), lowercase, trim whitespace.
 */
export const normalizeText = (text: string): string =>
  trimWhitespace((nonAscii.test(text) ? stripMarksAndFold(text.normalize("NFD")) : text).toLowerCase())

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
