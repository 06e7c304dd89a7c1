/** The content codings Avalon answers in. */
export type ContentCoding = "identity" | "gzip" | "br"

const qvalue = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

/** The `q` weight of one Accept-Encoding element's parameters (1 without one); undefined when malformed. */
const weightOf = (parameters: ReadonlyArray<string>): number | undefined => {
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=")
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== "q") continue
    const value = parameter.slice(equals + 1).trim()
    return qvalue.test(value) ? Number(value) : undefined
  }
  return 1
}

/**
 * The coding to answer in for an Accept-Encoding header (RFC 9110 §12.5.3): the acceptable one (q > 0) of
 * br and gzip with the higher weight, br on a tie; `*` stands for codings not listed; identity when neither
 * is acceptable. The first listing of a coding counts; malformed elements are ignored.
 */
export const parseAcceptEncoding = (header: string): ContentCoding => {
  let br: number | undefined
  let gzip: number | undefined
  let any: number | undefined
  for (const element of header.split(",")) {
    const [rawName = "", ...parameters] = element.split(";")
    const name = rawName.trim().toLowerCase()
    if (name !== "br" && name !== "gzip" && name !== "x-gzip" && name !== "*") continue
    const weight = weightOf(parameters)
    if (weight === undefined) continue
    if (name === "br") br ??= weight
    else if (name === "*") any ??= weight
    else gzip ??= weight
  }
  const brWeight = br ?? any ?? 0
  const gzipWeight = gzip ?? any ?? 0
  return brWeight > 0 && brWeight >= gzipWeight ? "br" : gzipWeight > 0 ? "gzip" : "identity"
}

// Clients send a handful of distinct headers: remember the answer for each instead of parsing per request.
const remembered = new Map<string, ContentCoding>()

export const negotiateCoding = (acceptEncoding: string | undefined): ContentCoding => {
  if (acceptEncoding === undefined || acceptEncoding === "") return "identity"
  let coding = remembered.get(acceptEncoding)
  if (coding === undefined) {
    coding = parseAcceptEncoding(acceptEncoding)
    if (remembered.size >= 256) remembered.clear()
    remembered.set(acceptEncoding, coding)
  }
  return coding
}
