/**
 * Which of the candidate entity tags (quoted, like `"abc"`) an If-None-Match list names, by the weak comparison
 * of RFC 9110 §8.8.3.2 (a `W/` prefix is ignored); undefined when it names neither. Scans the quoted strings
 * without allocating; `*` is the caller's business (see isWildcard).
 */
export const matchEntityTag = (ifNoneMatch: string, first: string, second?: string): string | undefined => {
  let at = 0
  for (;;) {
    const open = ifNoneMatch.indexOf("\"", at)
    if (open === -1) return undefined
    const close = ifNoneMatch.indexOf("\"", open + 1)
    if (close === -1) return undefined
    const length = close + 1 - open
    if (length === first.length && ifNoneMatch.startsWith(first, open)) return first
    if (second !== undefined && length === second.length && ifNoneMatch.startsWith(second, open)) return second
    at = close + 1
  }
}

/** `If-None-Match: *`: any current representation matches. */
export const isWildcard = (ifNoneMatch: string): boolean => ifNoneMatch.trim() === "*"

const imfFixdate = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/
const rfc850Date = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/
const asctimeDate = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/

/** Milliseconds of an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime, all GMT); undefined if not one. */
export const parseHttpDate = (text: string): number | undefined => {
  const trimmed = text.trim()
  const ms = imfFixdate.test(trimmed) || rfc850Date.test(trimmed)
    ? Date.parse(trimmed)
    : asctimeDate.test(trimmed)
    ? Date.parse(`${trimmed} GMT`)
    : Number.NaN
  return Number.isNaN(ms) ? undefined : ms
}

/** An HTTP-date (IMF-fixdate) for a time, to the second as HTTP dates are. */
export const formatHttpDate = (date: Date): string => new Date(Math.floor(date.getTime() / 1000) * 1000).toUTCString()
