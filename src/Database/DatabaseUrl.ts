import { resolve } from "node:path"
import { Either } from "effect"
import { redactSecrets } from "../Observability/redactSecrets.js"
import { DatabaseError } from "./DatabaseError.js"

export type DatabaseTarget =
  | { readonly dialect: "sqlite"; readonly filename: string }
  | { readonly dialect: "pg"; readonly url: string }

/** SQLite's name for a database that lives in memory only (`sqlite://`): no file, no folder. */
export const inMemoryFilename = ":memory:"

/**
 * SQLAlchemy's URL rules: `sqlite:///relative.sqlite`, `sqlite:////absolute.sqlite`, `sqlite://` (memory);
 * `postgresql://`, `postgres://` and the original's `postgresql+psycopg2://`.
 */
export const parseDatabaseUrl = (url: string): Either.Either<DatabaseTarget, DatabaseError> => {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase()
  if (scheme === "sqlite") {
    if (url === "sqlite://" || url === "sqlite:///:memory:") return Either.right({ dialect: "sqlite", filename: inMemoryFilename })
    if (!url.startsWith("sqlite:///") || url.length === "sqlite:///".length) {
      return Either.left(new DatabaseError({ message: `DATABASE_URL ${url} is not a valid SQLite URL: use sqlite:///relative/path.sqlite or sqlite:////absolute/path.sqlite` }))
    }
    return Either.right({ dialect: "sqlite", filename: resolve(decodeURIComponent(url.slice("sqlite:///".length))) })
  }
  if (scheme === "postgresql" || scheme === "postgres" || scheme === "postgresql+psycopg2") {
    return Either.right({ dialect: "pg", url: url.replace(/^[^:]+:/, "postgresql:") })
  }
  return Either.left(new DatabaseError({
    message: `unsupported database URL scheme ${JSON.stringify(scheme ?? url)} in ${redactSecrets(url)}: use sqlite:///path.sqlite or postgresql://user@host:5432/database`
  }))
}

export const describeTarget = (target: DatabaseTarget): string =>
  target.dialect === "sqlite" ? `SQLite database ${target.filename}` : `PostgreSQL database ${redactSecrets(target.url)}`
