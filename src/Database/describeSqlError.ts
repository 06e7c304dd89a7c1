import { redactSecrets } from "../Observability/redactSecrets.js"

/** The innermost, most specific message of an error chain (driver errors hide under SqlError.cause). */
export const describeSqlError = (error: unknown): string => {
  const messages: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0]
    const message = current instanceof Error ? current.message : typeof current === "string" ? current : undefined
    if (message !== undefined && message !== "" && !messages.includes(message)) messages.push(message)
    current = current instanceof Error ? current.cause : undefined
  }
  const specific = messages.filter((message) => !/^(PgClient: Failed to connect|Failed to execute statement|Failed to prepare statement)/.test(message))
  return redactSecrets((specific.length > 0 ? specific : messages).join(": ") || "unknown database error")
}
