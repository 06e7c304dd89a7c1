/** A list answer's size before paging and the page it holds (limit undefined: not paged). */
export type Paging = { readonly total: number; readonly limit: number | undefined; readonly offset: number }

// What a URI may hold as is; the request line also lets `<`, `>`, `"`, `{`, `|`, `}`, `^` and `` ` `` through.
const unsafeInUri = /[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/
const unsafeInUriEverywhere = new RegExp(unsafeInUri.source, "g")

const percentEncode = (char: string): string => {
  const code = char.charCodeAt(0)
  return code < 0x80 ? `%${code < 0x10 ? "0" : ""}${code.toString(16).toUpperCase()}` : encodeURIComponent(char)
}

/** Text safe inside a Link header's `<…>`. */
export const escapeUri = (text: string): string =>
  unsafeInUri.test(text) ? text.replace(unsafeInUriEverywhere, percentEncode) : text

/** Whether the parameter at `start .. end` of a query string names `offset` (decoded as firstValues does). */
const namesOffset = (search: string, start: number, end: number): boolean => {
  const equals = search.indexOf("=", start)
  const nameEnd = equals === -1 || equals > end ? end : equals
  if (nameEnd - start === 6 && search.startsWith("offset", start)) return true
  for (let i = start; i < nameEnd; i++) {
    const code = search.charCodeAt(i)
    if (code === 0x25 || code === 0x2b) return new URLSearchParams(search.slice(start, end)).keys().next().value === "offset"
  }
  return false
}

/** Proxies commonly refuse response headers over 4–8 KiB in all (nginx by default over 4 KiB). */
const maxLinkLength = 4096

/**
 * The RFC 8288 Link header of a paged list answer: the `next` and `prev` pages when there are any (the total is
 * in X-Total-Count, so a client knows the last page too). Each link is `path` with the request's own query
 * string, its `offset` replaced (other parameters kept as sent). Undefined when not paged, when `limit` is 0,
 * when there is no other page, and when the links would exceed 4 KiB.
 */
export const pagingLinks = (path: string, search: string, paging: Paging): string | undefined => {
  const { limit, offset, total } = paging
  if (limit === undefined || limit <= 0) return undefined
  const hasNext = offset + limit < total
  if (!hasNext && offset <= 0) return undefined
  // The query string before the first `offset` parameter and the rest without any `offset`.
  let before: string | undefined
  let after = ""
  // Only a name spelled `offset` or percent-encoded can mean offset: most requests skip the scan.
  if (search.includes("offset") || search.includes("%")) {
    for (let start = 0; start <= search.length;) {
      let end = search.indexOf("&", start)
      if (end === -1) end = search.length
      if (namesOffset(search, start, end)) before ??= search.slice(0, start)
      else if (before !== undefined) after += `&${search.slice(start, end)}`
      start = end + 1
    }
  }
  before ??= `${search}&`
  if (unsafeInUri.test(search)) {
    before = escapeUri(before)
    after = escapeUri(after)
  }
  const next = hasNext ? `<${path}?${before}offset=${offset + limit}${after}>; rel="next"` : ""
  const prev = offset > 0 ? `<${path}?${before}offset=${Math.max(0, Math.min(offset, total) - limit)}${after}>; rel="prev"` : ""
  const links = next === "" ? prev : prev === "" ? next : `${next}, ${prev}`
  return links.length <= maxLinkLength ? links : undefined
}
