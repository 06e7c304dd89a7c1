import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"

export const pgAdminUrl = process.env.AVALON_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres"

const psql = (sql: string): string =>
  execFileSync("psql", [pgAdminUrl, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

/** A fresh, empty PostgreSQL database on the local server; drop it with the returned function. */
export const createTemporaryPgDatabase = (): { readonly url: string; readonly drop: () => void; readonly query: (sql: string) => string } => {
  const name = `avalon_test_${randomBytes(6).toString("hex")}`
  psql(`CREATE DATABASE ${name}`)
  const url = pgAdminUrl.replace(/\/[^/]*$/, `/${name}`)
  return {
    url,
    query: (sql) => execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql], { encoding: "utf8" }).trim(),
    drop: () => {
      psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  }
}
