import { Context, type Effect } from "effect"
import type { CollectionColumns, CollectionRows, SongTags } from "../Domain/Collection.js"
import type { ChangeLog, EntityChanges } from "../Domain/CollectionChanges.js"
import type { DatabaseError } from "./DatabaseError.js"
import type { DatabaseTarget } from "./DatabaseUrl.js"

export type FileOutcome = "song" | "not-audio" | "corrupt"

/** What the scanner remembers of one file, so that an unchanged file is never read again. */
export type FileState = {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
  readonly outcome: FileOutcome
  readonly tags: SongTags
}

export type StoredCollection = {
  readonly columns: CollectionColumns
  readonly generation: number
  readonly scannedAt: Date | undefined
  /** Undefined when the database has no change log yet (its schema predates it and only a scan upgrades it). */
  readonly changeLog?: ChangeLog | undefined
}

/** A file as the last scan saw it, without its tags: enough to tell whether it changed since. */
export type FileStamp = Omit<FileState, "tags">

/** What an unchanged re-scan needs: the file stamps of the latest scan and the sizes of its named tables. */
export type ScanStamps = {
  readonly generation: number
  readonly files: ReadonlyArray<FileStamp>
  readonly albums: number
  readonly artists: number
  readonly genres: number
}

/** The file states of the latest scan, and its generation. */
export type ScanState = {
  readonly generation: number
  readonly files: ReadonlyArray<FileState>
}

export type ReplaceCollection = {
  readonly rows: CollectionRows
  readonly files: ReadonlyArray<FileState>
  readonly root: string
  /**
   * The songs changed since generation `since` (the one the scan's file states were read at) and how many
   * generations of changes to keep. The new generation's changes are recorded only when `since` is still the
   * latest generation (no other scan finished meanwhile) and not 0 (an empty database); otherwise the change
   * log starts afresh at the new generation.
   */
  readonly changes?: { readonly since: number; readonly songs: EntityChanges; readonly keep: number }
}

/** The two narrow capabilities the scanner and the server need; everything SQL stays behind this tag. */
export class Database extends Context.Tag("avalon/Database")<Database, {
  readonly target: DatabaseTarget
  /** A consistent snapshot of the four tables (never half of one scan and half of another). */
  readonly readCollection: Effect.Effect<StoredCollection, DatabaseError>
  readonly readGeneration: Effect.Effect<number, DatabaseError>
  readonly readFileStates: Effect.Effect<ScanState, DatabaseError>
  /** The file states without tags (a fraction of the rows' bytes), and the table sizes, in one snapshot. */
  readonly readFileStamps: Effect.Effect<ScanStamps, DatabaseError>
  /** Replaces the whole collection in one transaction; returns the new generation. */
  readonly replaceCollection: (input: ReplaceCollection) => Effect.Effect<number, DatabaseError>
}>() {}
