import type { CommonId, TagCollector } from "./TagCollector.js"

const vorbisCommonIds: Readonly<Record<string, CommonId>> = {
  TITLE: "title", ARTIST: "artist", ARTISTS: "artists", ALBUM: "album", DATE: "date", TRACKNUMBER: "track", GENRE: "genre",
  DISCOGS_ARTISTS: "artists", DISCOGS_ARTIST_NAME: "artists", DISCOGS_RELEASED: "date", STYLE: "genre"
}

const utf8 = new TextDecoder("utf-8")

/**
 * The user comments of a Vorbis comment structure starting at `offset` (its vendor string's length), added to
 * `tags` as music-metadata's VorbisDecoder/VorbisStream add them (key upper-cased, pictures skipped). False, with
 * `tags` to be dropped, when a length runs past `end`.
 */
export const readVorbisComments = (data: Buffer, offset: number, end: number, tags: TagCollector): boolean => {
  if (offset + 4 > end) return false
  let position = offset + 4 + data.readUInt32LE(offset)
  if (position + 4 > end) return false
  let count = data.readUInt32LE(position)
  position += 4
  while (count-- > 0) {
    if (position + 4 > end) return false
    const length = data.readUInt32LE(position)
    const start = position + 4
    position = start + length
    if (position > end) return false
    const comment = utf8.decode(data.subarray(start, position))
    const equals = comment.indexOf("=")
    const key = comment.substring(0, equals).toUpperCase()
    if (key === "METADATA_BLOCK_PICTURE") continue
    tags.add("vorbis", key, comment.substring(equals + 1), vorbisCommonIds[key])
  }
  return true
}
