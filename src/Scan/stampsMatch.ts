import type { FileStamp } from "../Database/Database.js"
import type { WalkedFile } from "./walkCollection.js"

/** Whether the walk found exactly the files of the stamps, each of the same size and modification time. */
export const stampsMatch = (files: ReadonlyArray<WalkedFile>, stamps: ReadonlyArray<FileStamp>): boolean => {
  if (stamps.length === 0 || stamps.length !== files.length) return false
  const byPath = new Map<string, FileStamp>()
  for (const stamp of stamps) byPath.set(stamp.path, stamp)
  for (const file of files) {
    const known = byPath.get(file.path)
    if (known === undefined || known.size !== file.size || known.mtimeMs !== file.mtimeMs) return false
  }
  return true
}
