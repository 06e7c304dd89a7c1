import { setFlagsFromString } from "node:v8"
import { codeCacheEvents } from "./codeCacheEvents.js"

/** The V8 flags the program changes, with V8's defaults (`node --v8-options`; a test checks them). */
export const v8FlagDefaults = {
  "interrupt-budget": 67_584,
  "semi-space-growth-factor": 2
} as const

export type V8Flag = keyof typeof v8FlagDefaults

const changed = new Map<V8Flag, number>()

const setAll = (value: (flag: V8Flag, setTo: number) => number): void => {
  for (const [flag, setTo] of changed) setFlagsFromString(`--${flag}=${value(flag, setTo)}`)
}

/**
 * Sets a V8 flag for the rest of the process. V8 stamps a code cache with the flags that differ from their
 * defaults and rejects it under others; the cache is read at start, with the defaults, and made later (see
 * `runBundle`), so the flags set here go back to their defaults while it is made.
 */
export const setV8Flag = (flag: V8Flag, value: number): void => {
  if (changed.size === 0) {
    const events: NodeJS.EventEmitter = process
    events.on(codeCacheEvents.saving, () => setAll((name) => v8FlagDefaults[name]))
    events.on(codeCacheEvents.saved, () => setAll((_, setTo) => setTo))
  }
  changed.set(flag, value)
  setFlagsFromString(`--${flag}=${value}`)
}

/** The value this process last set the flag to (V8's default when never set). */
export const v8FlagValue = (flag: V8Flag): number => changed.get(flag) ?? v8FlagDefaults[flag]
