import { getHeapStatistics, setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

let gc: (() => void) | undefined

/**
 * Runs a full garbage collection now. V8 exposes its `gc` only under `--expose-gc`, and stamps a code cache with
 * the flags that differ from their defaults (see `setV8Flag`): the flag is set just long enough to take the
 * function from a fresh context, then set back.
 */
export const collectGarbage = (): void => {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc")
    try {
      gc = runInNewContext("gc") as () => void
    } finally {
      setFlagsFromString("--no-expose-gc")
    }
  }
  gc()
}

/** Bytes of V8's heap that are committed (held as memory) but hold no live object. */
export const unusedHeapBytes = (statistics = getHeapStatistics()): number => statistics.total_heap_size - statistics.used_heap_size

/**
 * A full garbage collection, then a second one when the heap still holds more than `slackBytes` it does not use.
 * The first frees the objects; the pages they leave empty are returned only as sweeping finishes, which the second
 * one completes (it also compacts what the first left sparse). True when it took two.
 */
export const collectGarbageAndRelease = (slackBytes: number, unused: () => number = unusedHeapBytes): boolean => {
  collectGarbage()
  if (unused() <= slackBytes) return false
  collectGarbage()
  return true
}
