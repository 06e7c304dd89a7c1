import { createHook } from "node:async_hooks"

let keptTick: object | undefined

const doNothing = (): void => undefined

/** The `process.nextTick` entry this process keeps, once `keepNextTickMapsAlive` has run. */
export const keptNextTick = (): object | undefined => keptTick

/**
 * Keeps one of `process.nextTick`'s queue entries alive for the rest of the process, so that V8 never collects
 * their hidden classes ("maps"). Node 20 builds each entry as an object literal with computed keys
 * (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`), and V8's inline caches for such
 * definitions know one map or give up for good (megamorphic). A full collection at a moment when no entry is alive
 * (an idle server: V8's memory reducer collects a few seconds after the traffic stops, or before it starts) frees
 * those maps; the next entry is built with new ones, the caches give up, and from then on every entry is built
 * in V8's runtime. Each answer schedules a few: 100k songs, CPU per heartbeat 10.8 µs when the first requests
 * came at once, 13.8 µs for good when they came 20 s after the start. Holding one entry holds its map and,
 * through back pointers, those before it. The hook is enabled only around one `nextTick` of this function.
 */
export const keepNextTickMapsAlive = (): void => {
  if (keptTick !== undefined) return
  const hook = createHook({
    init: (_asyncId, type, _triggerAsyncId, resource) => {
      if (type === "TickObject") keptTick ??= resource
    }
  })
  hook.enable()
  try {
    process.nextTick(doNothing)
  } finally {
    hook.disable()
  }
}
