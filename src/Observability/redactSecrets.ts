const urlUserInfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@"'<>]*)(?::([^\s/?#"'<>]*))?@/gi
const secretParameter = /\b(password|passwd|pwd|secret|token|access_token|api_key|apikey|sentry_key|sentry_secret)=([^&#\s"'<>;,]+)/gi
const webScheme = /^https?:\/\/$/i

const maskUserInfo = (match: string, scheme: string, user: string, password: string | undefined): string =>
  password !== undefined ? `${scheme}${user}:***@`
  : user !== "" && webScheme.test(scheme) ? `${scheme}***@`
  : match

/**
 * Masks credentials in free text: the password of every `scheme://user:password@host` URL, the whole user part of
 * `http(s)://key@host` URLs (a Sentry DSN's public key), and `password=`/`token=`/`sentry_key=`-style parameters.
 */
export const redactSecrets = (text: string): string => {
  let out = text.includes("://") ? text.replace(urlUserInfo, maskUserInfo) : text
  if (out.includes("=")) out = out.replace(secretParameter, "$1=***")
  return out
}

/** Masks these exact strings too (e.g. the configured DSN key, the database password), wherever they appear. */
export const makeRedactor = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const known = [...new Set(secrets.filter((secret) => secret.length >= 4 && secret !== "***"))]
    .sort((a, b) => b.length - a.length)
  if (known.length === 0) return redactSecrets
  return (text) => {
    let out = redactSecrets(text)
    for (const secret of known) if (out.includes(secret)) out = out.replaceAll(secret, "***")
    return out
  }
}

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** The credentials embedded in URLs of the settings: passwords and password-less `http(s)` users (DSN keys). */
export const urlSecrets = (urls: ReadonlyArray<string>): ReadonlyArray<string> =>
  urls.flatMap((text) => {
    const match = /^([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]*)(?::([^\s/?#]*))?@/i.exec(text)
    if (match === null) return []
    const [, scheme = "", user = "", password] = match
    const raw = password !== undefined ? [password] : webScheme.test(scheme) && user !== "" ? [user] : []
    return raw.flatMap((secret) => [secret, decode(secret)])
  })
