import { statSync } from "node:fs"
import { Effect } from "effect"

/** What tells a file's content changed without reading it; "" when it cannot be seen (absent). */
const stampOf = (path: string): string => {
  try {
    const stat = statSync(path, { bigint: true })
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`
  } catch {
    return ""
  }
}

/**
 * `read` again only once one of `paths` has changed (device, inode, size, modification or change time) since the
 * last successful read, or `maxAgeMs` after it (for file systems with coarse times); otherwise its last value.
 * The files are looked at before reading, so a change that lands during a read is seen at the next call.
 */
export const readWhenFilesChange = <A, E, R>(
  paths: ReadonlyArray<string>,
  read: Effect.Effect<A, E, R>,
  maxAgeMs: number
): Effect.Effect<A, E, R> => {
  let last: { readonly stamps: string; readonly value: A; readonly at: number } | undefined
  return Effect.suspend(() => {
    const stamps = paths.map(stampOf).join("|")
    const at = Date.now()
    if (last !== undefined && last.stamps === stamps && at - last.at < maxAgeMs) return Effect.succeed(last.value)
    return Effect.tap(read, (value) => Effect.sync(() => { last = { stamps, value, at } }))
  })
}
