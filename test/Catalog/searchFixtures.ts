import type { CollectionRows, NamedRow, SongRow } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"

/**
 * A collection for ranked search: every relevance tier of README "Search" for the query `night`,
 * twins that only their id tells apart, and names that need the wider folding.
 */
const named = (id: (name: string) => string, names: ReadonlyArray<string>): Array<NamedRow> =>
  names.map((name) => ({ id: id(name), name }))

export const searchAlbums = named(albumId, ["Plain", "Night Songs", "Œuvre", "Tonight Show"])
export const searchArtists = named(artistId, ["Zed", "Night", "Night Ranger", "Bjørk", "The Night Watch"])
export const searchGenres = named(genreId, ["Rock", "Nightcore"])

let track = 0
const song = (name: string, path: string, artist = "Zed", album = "Plain", genre = "Rock"): SongRow => ({
  id: songId(`/music/${path}.flac`),
  name,
  length: 100 + track,
  track: ++track,
  year: 2000 + (track % 5),
  album_id: albumId(album),
  artist_id: artistId(artist),
  genre_id: genreId(genre)
})

export const searchSongs: Array<SongRow> = [
  song("Into the Night Sky", "into-the-night-sky"),
  song("Calm", "calm", "Night Ranger"),
  song("Nightfall", "nightfall"),
  song("Gamma", "gamma", "Zed", "Plain", "Nightcore"),
  song("Night", "night-1"),
  song("The Night", "the-night"),
  song("Beta", "beta", "Zed", "Night Songs"),
  song("Night Moves", "night-moves"),
  song("Alpha", "alpha", "Night"),
  song("Night", "night-2"),
  song("Night Sky", "night-sky"),
  song("Night Rider", "night-rider"),
  song("Delta", "delta", "The Night Watch"),
  song("Night Sky Blue", "night-sky-blue"),
  song("Epsilon", "epsilon", "Zed", "Tonight Show"),
  song("Straße", "strasse"),
  song("alt\u2010J", "alt-j"),
  song("Ruby\u00a0Soho", "ruby-soho"),
  song("Jóga", "joga", "Bjørk", "Œuvre"),
  song("Don\u2019t Stop", "dont-stop")
]

export const searchRows: CollectionRows = {
  songs: searchSongs,
  albums: searchAlbums,
  artists: searchArtists,
  genres: searchGenres
}

const byId = (path: string) => songId(`/music/${path}.flac`)
const [firstNight, secondNight] = [byId("night-1"), byId("night-2")].sort()

/** `songs?query=night` ranked: [name, id] of each song. */
export const nightRanked: ReadonlyArray<readonly [string, string]> = [
  // title is the query, the twins by id
  ["Night", firstNight!],
  ["Night", secondNight!],
  // title starts with it, by name
  ["Night Moves", byId("night-moves")],
  ["Night Rider", byId("night-rider")],
  ["Night Sky", byId("night-sky")],
  ["Night Sky Blue", byId("night-sky-blue")],
  ["Nightfall", byId("nightfall")],
  // a later word of the title
  ["Into the Night Sky", byId("into-the-night-sky")],
  ["The Night", byId("the-night")],
  // artist: exact, starts with, later word
  ["Alpha", byId("alpha")],
  ["Calm", byId("calm")],
  ["Delta", byId("delta")],
  // album
  ["Beta", byId("beta")],
  // genre
  ["Gamma", byId("gamma")]
]
