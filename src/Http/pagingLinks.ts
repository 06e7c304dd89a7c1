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

/** Whether a `name=value` part of a query string names `offset` (decoded as the parameters are, see firstValues). */
const namesOffset = (part: string): boolean => {
  const equals = part.indexOf("=")
  const name = equals === -1 ? part : part.slice(0, equals)
  if (name === "offset") return true
  return (name.includes("%") || name.includes("+")) && new URLSearchParams(part).keys().next().value === "offset"
}

/** Proxies commonly refuse response headers over 4–8 KiB in all (nginx by default over 4 KiB). */
const maxLinkLength = 4096

/**
 * The RFC 8288 Link header of a paged list answer: `next` and `prev` pages when there are any, `first` and
 * `last` (the last multiple of `limit` below the total). Each link is `path` with the request's own query
 * string, its `offset` replaced (other parameters kept as sent). Undefined when not paged or `limit` is 0.
 * Kept under 4 KiB: with very long query strings `first` and `last` are left out, then the header altogether.
 */
export const pagingLinks = (path: string, search: string, paging: Paging): string | undefined => {
  const { limit, offset, total } = paging
  if (limit === undefined || limit <= 0) return undefined
  let before = ""
  let after = ""
  let found = false
  for (const part of search.split("&")) {
    if (namesOffset(part)) found = true
    else if (found) after += `&${part}`
    else before += `${part}&`
  }
  const head = `<${path}?${escapeUri(before)}offset=`
  const tail = `${escapeUri(after)}>; rel="`
  const target = (at: number, rel: string) => `${head}${at}${tail}${rel}"`
  const pages: Array<string> = []
  if (offset + limit < total) pages.push(target(offset + limit, "next"))
  if (offset > 0) pages.push(target(Math.max(0, Math.min(offset, total) - limit), "prev"))
  const ends = `${target(0, "first")}, ${target(total === 0 ? 0 : Math.floor((total - 1) / limit) * limit, "last")}`
  const links = pages.length === 0 ? ends : `${pages.join(", ")}, ${ends}`
  if (links.length <= maxLinkLength) return links
  const near = pages.join(", ")
  return near !== "" && near.length <= maxLinkLength ? near : undefined
}
