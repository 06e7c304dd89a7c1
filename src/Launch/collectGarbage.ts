import { setFlagsFromString } from "node:v8"
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
