// Apart from the migrations themselves (migrations.ts), which need @effect/sql: the quick re-scan checks them too.

/** What reading a collection needs (the server migrates only a database older than this, see DatabaseLive). */
export const scanStateMigrationId = 2
export const changeLogMigrationId = 3
/** Keep equal to the number of the last of `migrations`. */
export const latestMigrationId = 3

export const migrationsTable = "avalon_migrations"
