import { namedFields } from "./NamedTable.js"
import type { Endpoint } from "./queryCatalog.js"
import { songFields } from "./SongTable.js"

/** The values `order` accepts per endpoint: the fields of the returned objects, in output order. */
export const orderFields: Record<Endpoint, ReadonlyArray<string>> = {
  songs: songFields,
  albums: namedFields,
  artists: namedFields,
  genres: namedFields
}
