import type { CollectionRows, NamedRow, SongRow } from "../../src/Domain/Collection.js"
import { albumId, artistId, genreId, songId } from "../../src/Domain/Ids.js"

const named = (id: (name: string) => string, names: ReadonlyArray<string>): Array<NamedRow> =>
  names.map((name) => ({ id: id(name), name }))

export const albums = named(albumId, [
  "¡Uno!",
  "Dookie",
  "Homogenic",
  "Out of Step",
  "Punk in Drublic",
  "How I Spent My Summer Vacation",
  "Firme",
  "Ａ Side",
  "😀 Side"
])
export const artists = named(artistId, [
  "Green Day",
  "Björk",
  "Minor Threat",
  "NOFX",
  "The Bouncing Souls",
  "Voodoo Glow Skulls"
])
export const genres = named(genreId, ["Punk", "Punk Ska", "Electronic", "Hardcore"])

/** A reference to an album that is not in the albums table. */
export const missingAlbumId = albumId("Lost Album")

type SongSpec = {
  readonly path: string
  readonly name: string
  readonly length: number
  readonly track: number
  readonly year: number
  readonly album: string
  readonly artist: string
  readonly genre: string
}

const song = (spec: SongSpec): SongRow => ({
  id: songId(spec.path),
  name: spec.name,
  length: spec.length,
  track: spec.track,
  year: spec.year,
  album_id: spec.album === "Lost Album" ? missingAlbumId : albumId(spec.album),
  artist_id: artistId(spec.artist),
  genre_id: genreId(spec.genre)
})

export const songs: Array<SongRow> = [
  song({
    path: "/music/Bouncing_Souls/03-this_is_giving_up.mp3",
    name: "This Is Giving Up",
    length: 180,
    track: 3,
    year: 2001,
    album: "How I Spent My Summer Vacation",
    artist: "The Bouncing Souls",
    genre: "Punk"
  }),
  song({
    path: "/music/Bouncing_Souls/05-live_at_the_bbq.mp3",
    name: "Live at the BBQ",
    length: 150,
    track: 5,
    year: 2001,
    album: "How I Spent My Summer Vacation",
    artist: "The Bouncing Souls",
    genre: "Punk"
  }),
  song({
    path: "/music/Bjork/02-joga.flac",
    name: "Jóga",
    length: 305,
    track: 2,
    year: 1997,
    album: "Homogenic",
    artist: "Björk",
    genre: "Electronic"
  }),
  song({
    path: "/music/Bjork/03-unravel.flac",
    name: "Unravel",
    length: 201,
    track: 3,
    year: 1997,
    album: "Homogenic",
    artist: "Björk",
    genre: "Electronic"
  }),
  song({
    path: "/music/Green_Day/Uno/01-nuclear_family.ogg",
    name: "Nuclear Family",
    length: 181,
    track: 1,
    year: 2012,
    album: "¡Uno!",
    artist: "Green Day",
    genre: "Punk"
  }),
  song({
    path: "/music/Green_Day/Dookie/07-basket_case.ogg",
    name: "Basket Case",
    length: 181,
    track: 7,
    year: 1994,
    album: "Dookie",
    artist: "Green Day",
    genre: "Punk"
  }),
  song({
    path: "/music/Minor_Threat/01-out_of_step.mp3",
    name: "Out of Step",
    length: 80,
    track: 1,
    year: 1983,
    album: "Out of Step",
    artist: "Minor Threat",
    genre: "Hardcore"
  }),
  song({
    path: "/music/NOFX/01-linoleum.mp3",
    name: "Linoleum",
    length: 130,
    track: 1,
    year: 1994,
    album: "Punk in Drublic",
    artist: "NOFX",
    genre: "Punk"
  }),
  song({
    path: "/music/Voodoo_Glow_Skulls/02-adicción,_tradición,_revolución.ogg",
    name: "Adicción, Tradición, Revolución",
    length: 142,
    track: 2,
    year: 1995,
    album: "Firme",
    artist: "Voodoo Glow Skulls",
    genre: "Punk Ska"
  }),
  song({
    path: "/music/NOFX/00-intro.mp3",
    name: "Intro",
    length: 30,
    track: 0,
    year: 0,
    album: "Punk in Drublic",
    artist: "NOFX",
    genre: "Punk"
  }),
  song({
    path: "/music/Minor_Threat/00-intro.mp3",
    name: "Intro",
    length: 30,
    track: 0,
    year: 0,
    album: "Out of Step",
    artist: "Minor Threat",
    genre: "Hardcore"
  }),
  song({
    path: "/music/lost/01-fullwidth.mp3",
    name: "Ａ",
    length: 10,
    track: 1,
    year: 2020,
    album: "Ａ Side",
    artist: "NOFX",
    genre: "Punk"
  }),
  song({
    path: "/music/lost/02-emoji.mp3",
    name: "😀",
    length: 11,
    track: 2,
    year: 2020,
    album: "😀 Side",
    artist: "NOFX",
    genre: "Punk"
  }),
  song({
    path: "/music/lost/03-orphan.mp3",
    name: "Orphan",
    length: 99,
    track: 9,
    year: 2005,
    album: "Lost Album",
    artist: "Minor Threat",
    genre: "Hardcore"
  })
]

export const rows: CollectionRows = { songs, albums, artists, genres }
