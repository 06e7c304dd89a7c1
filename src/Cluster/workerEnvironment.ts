/**
 * glibc's malloc raises its mmap threshold, and with it the heap's trim threshold, each time a large block is freed,
 * so after a catalog load ~28 MB freed on the heap stays in RSS for good (100k songs: heap 32 MB where a fixed
 * threshold leaves 4.5 MB; peak RSS 137 -> ~125 MB). Setting the trim threshold fixes both at their defaults. It
 * must be in the environment before the process starts, which a worker's is.
 */
export const mallocTrimThreshold = "131072"

/** What a worker's environment adds: the trim threshold, unless the operator set one (or any malloc tunable). */
export const workerEnvironment = (env: NodeJS.ProcessEnv): Record<string, string> =>
  env.MALLOC_TRIM_THRESHOLD_ !== undefined || env.GLIBC_TUNABLES?.includes("glibc.malloc.") === true
    ? {}
    : { MALLOC_TRIM_THRESHOLD_: mallocTrimThreshold }
