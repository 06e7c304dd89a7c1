/**
 * Process events between `runBundle` (the loader) and the bundle it runs, which are built separately and share
 * nothing else. Worker threads have a `process` object of their own, so each thread talks to its own loader.
 */
export const codeCacheEvents = {
  /** Emitted by the program: it has warmed up, save the code cache now (once per run). */
  save: "avalon:save-code-cache",
  /** Emitted by the loader around `createCachedData`: V8 stamps the cache with its flags, see `setV8Flag`. */
  saving: "avalon:code-cache-saving",
  saved: "avalon:code-cache-saved"
} as const
