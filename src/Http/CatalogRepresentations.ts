import type { Catalog } from "../Catalog/Catalog.js"
import type { EntityTable } from "../Catalog/EntityTable.js"
import type { Endpoint } from "../Catalog/queryCatalog.js"
import { compressStatic } from "./compressBody.js"
import { formatHttpDate } from "./conditionalRequests.js"
import { hashText } from "./hashText.js"
import type { ContentCoding } from "./negotiateCoding.js"

const tagEnds: Readonly<Record<ContentCoding, string>> = { identity: "\"", gzip: "-gz\"", br: "-br\"" }
const endpointSeeds: Readonly<Record<Endpoint, number>> = { songs: 1, albums: 2, artists: 3, genres: 4 }

type Slot = Buffer | "compressing" | "failed" | undefined
type CompressedList = { gzip: Slot; br: Slot }

/**
 * What the HTTP layer derives from one catalog, once: the entity tags and Last-Modified of its answers, and
 * the compressed full lists (made on first demand, then kept as long as the catalog serves).
 *
 * A tag is strong: a hash of the version, the scan generation and its time (`loadedAt`: equal in every
 * worker and server loading the same scan; a database of the original Avalon has no scan time and gets the
 * load time), then of the endpoint and the raw query string, then the coding. So equal tags mean equal bytes,
 * and a new scan changes every tag.
 */
export class CatalogRepresentations {
  /** The Last-Modified header: when the scan behind the catalog finished. */
  readonly lastModified: string
  /** Last-Modified in milliseconds (whole seconds), for If-Modified-Since. */
  readonly lastModifiedMs: number
  private readonly tagStart: string
  private readonly fullListTags: Readonly<Record<Endpoint, Readonly<Record<ContentCoding, string>>>>
  private readonly compressed: Record<Endpoint, CompressedList> = {
    songs: { gzip: undefined, br: undefined },
    albums: { gzip: undefined, br: undefined },
    artists: { gzip: undefined, br: undefined },
    genres: { gzip: undefined, br: undefined }
  }

  constructor(
    readonly catalog: Catalog,
    version: string,
    private readonly onCompressionError: (error: Error) => void = () => {}
  ) {
    const loadedAt = Number.isNaN(catalog.loadedAt.getTime()) ? new Date() : catalog.loadedAt
    this.lastModified = formatHttpDate(loadedAt)
    this.lastModifiedMs = Date.parse(this.lastModified)
    this.tagStart = `"${hashText(`${version}\u0000${catalog.generation}\u0000${loadedAt.getTime()}`).toString(36)}-`
    const tags = (endpoint: Endpoint) => ({
      identity: this.makeTag(endpoint, "", "identity"),
      gzip: this.makeTag(endpoint, "", "gzip"),
      br: this.makeTag(endpoint, "", "br")
    })
    this.fullListTags = { songs: tags("songs"), albums: tags("albums"), artists: tags("artists"), genres: tags("genres") }
  }

  private makeTag(endpoint: Endpoint, search: string, coding: ContentCoding): string {
    // Decimal: V8 writes a number in base 10 several times faster than in base 36.
    return `${this.tagStart}${hashText(search, endpointSeeds[endpoint])}${tagEnds[coding]}`
  }

  /** The strong entity tag (quoted) of the answer to `endpoint?search` in `coding`. */
  entityTag(endpoint: Endpoint, search: string, coding: ContentCoding): string {
    return search === "" ? this.fullListTags[endpoint][coding] : this.makeTag(endpoint, search, coding)
  }

  private table(endpoint: Endpoint): EntityTable {
    return endpoint === "songs" ? this.catalog.songs : this.catalog[endpoint]
  }

  /** The body of `endpoint` without parameters (queries that select everything in the default order answer it). */
  private fullList(endpoint: Endpoint): Buffer {
    return this.table(endpoint).body
  }

  /** Whether `body` is `endpoint`'s full list; asking never makes a full list that is made on first use. */
  isFullList(endpoint: Endpoint, body: Buffer): boolean {
    return this.table(endpoint).isBody(body)
  }

  /**
   * The full list of `endpoint` in `coding` once it is ready; undefined meanwhile (send it uncompressed). The
   * first call starts the compression (at once for small lists, on the thread pool for large ones).
   */
  compressedFullList(endpoint: Endpoint, coding: Exclude<ContentCoding, "identity">): Buffer | undefined {
    const lists = this.compressed[endpoint]
    const slot = lists[coding]
    if (slot === undefined) {
      lists[coding] = "compressing"
      compressStatic(this.fullList(endpoint), coding, (error, body) => {
        if (error === null) {
          lists[coding] = body
        } else {
          lists[coding] = "failed"
          this.onCompressionError(error)
        }
      })
      const done = lists[coding]
      return typeof done === "string" ? undefined : done
    }
    return typeof slot === "string" ? undefined : slot
  }
}
