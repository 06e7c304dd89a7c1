import type { WalkResult } from "./walkCollection.js"

/**
 * The quick re-scan (`quickRescan`) runs before the program's bundle is loaded; when it finds the collection
 * changed it leaves its walk here, and the scan that follows starts from it instead of walking again. The two
 * are separate bundles, each with its own copy of this module, so the walk is kept on the global object.
 */
const key = Symbol.for("avalon.walkHandoff")

type Holder = { [key]?: WalkResult }

export const handOverWalk = (walk: WalkResult): void => {
  ;(globalThis as Holder)[key] = walk
}

/** The walk handed over for this root, once (a later scan in the same process walks again). */
export const takeHandedOverWalk = (root: string): WalkResult | undefined => {
  const holder = globalThis as Holder
  const walk = holder[key]
  delete holder[key]
  return walk !== undefined && walk.root === root ? walk : undefined
}
