import type { NamedRow } from "./Collection.js"

export const entityKinds = ["songs", "albums", "artists", "genres"] as const
export type EntityKind = (typeof entityKinds)[number]

export const changeKinds = ["added", "changed", "removed"] as const
export type ChangeKind = (typeof changeKinds)[number]

/** The ids of one kind of entity that one scan added, changed (same id, any field different) and removed. */
export type EntityChanges = { readonly [K in ChangeKind]: ReadonlyArray<string> }

export const noChanges: EntityChanges = { added: [], changed: [], removed: [] }

/** One row of the change log: what one scan generation did to one entity. */
export type ChangeRow = {
  readonly generation: number
  readonly entity: EntityKind
  readonly id: string
  readonly change: ChangeKind
}

/**
 * The change log as stored: `rows` hold every change of the generations after `oldest`, so a client that
 * synced at any generation from `oldest` to the current one can catch up from it.
 */
export type ChangeLog = {
  readonly oldest: number
  readonly rows: ReadonlyArray<ChangeRow>
}

export const isEntityKind = (text: string): text is EntityKind => (entityKinds as ReadonlyArray<string>).includes(text)
export const isChangeKind = (text: string): text is ChangeKind => (changeKinds as ReadonlyArray<string>).includes(text)

/** Albums, artists or genres before and after a scan: the ids that appeared, whose spelling changed, that went. */
export const diffNamedRows = (previous: ReadonlyArray<NamedRow>, current: ReadonlyArray<NamedRow>): EntityChanges => {
  const before = new Map<string, string>()
  for (const row of previous) before.set(row.id, row.name)
  const added: Array<string> = []
  const changed: Array<string> = []
  let kept = 0
  for (const row of current) {
    const name = before.get(row.id)
    if (name === undefined) added.push(row.id)
    else {
      kept++
      if (name !== row.name) changed.push(row.id)
    }
  }
  const removed: Array<string> = []
  if (kept < before.size) {
    const after = new Set(current.map((row) => row.id))
    for (const id of before.keys()) if (!after.has(id)) removed.push(id)
  }
  return { added, changed, removed }
}
