// Deterministic synthetic collections written straight into an Avalon database (SQLite or PostgreSQL).
//
//   node scripts/bench/generate.mjs --songs 100000 --url sqlite:////tmp/avalon-100k.sqlite
//   node scripts/bench/generate.mjs --songs 100000 --url postgresql://postgres@127.0.0.1:5432/mydb
//
// The schema is created by the program itself (`avalon scan` of an empty folder, so the migrator's table is
// right), then every collection table is replaced in one transaction. Same seed and size → same rows, byte for
// byte. Ratios per 100,000 songs: ~6,700 albums, ~4,500 artists, ~1,100 genres (like a real library).
import { spawnSync } from "node:child_process"
import * as crypto from "node:crypto"

const { createHash } = crypto
/** `crypto.hash` (Node ≥ 20.12), much cheaper than createHash for short inputs. */
const oneShotHash = crypto.hash
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { cacheRoot, cleanEnv, log, projectRoot } from "./lib.mjs"

/** Bump when the generated rows change, so cached databases are rebuilt. */
export const GENERATOR_VERSION = 3

// ---------------------------------------------------------------- deterministic randomness

const mulberry32 = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** A sampler over ranks 0..n-1 with probability ∝ 1/(rank+1)^s (Zipf), by binary search over the cumulative sums. */
const zipf = (random, n, s) => {
  const cumulative = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / Math.pow(i + 1, s)
  return () => {
    const target = random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] < target) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

// ---------------------------------------------------------------- words and names

// Common words first (the head of the Zipf distribution), then pseudo-words built from syllables.
const commonWords = (
  "the of love a in my you night me to and heart your blue on all dream time light life song day way girl " +
  "world home fire good little man sun rain baby down back away black moon road star sweet one last river " +
  "summer city wild new old dance lost gold live boy street cold blues water world's tonight forever again " +
  "shadow angel ocean storm soul crazy never golden broken silver heaven electric midnight winter paradise"
).split(" ")
const onsets = ["b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "r", "s", "sh", "sl", "st", "t", "tr", "v", "w", "z", ""]
const vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"]
const codas = ["", "", "", "n", "r", "s", "l", "m", "nd", "rt", "st", "ck", "x"]
const accents = { a: ["á", "à", "å", "ä"], e: ["é", "è", "ë"], i: ["í", "ï"], o: ["ó", "ö", "ø"], u: ["ú", "ü"], n: ["ñ"], c: ["ç"] }

const makeVocabulary = (random, size) => {
  const words = [...commonWords]
  const seen = new Set(words)
  while (words.length < size) {
    const syllables = 1 + Math.floor(random() * random() * 4)
    let word = ""
    for (let i = 0; i < syllables; i++) {
      word += onsets[Math.floor(random() * onsets.length)] + vowels[Math.floor(random() * vowels.length)]
      if (i === syllables - 1 || random() < 0.3) word += codas[Math.floor(random() * codas.length)]
    }
    if (word.length < 2) continue
    // About 4% of the words carry an accent (so accent-insensitive search has something to do).
    if (random() < 0.04) {
      const positions = [...word].map((ch, i) => (accents[ch] ? i : -1)).filter((i) => i >= 0)
      if (positions.length > 0) {
        const at = positions[Math.floor(random() * positions.length)]
        const options = accents[word[at]]
        word = word.slice(0, at) + options[Math.floor(random() * options.length)] + word.slice(at + 1)
      }
    }
    if (!seen.has(word)) {
      seen.add(word)
      words.push(word)
    }
  }
  return words
}

const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1)

/** 1–5 words: 25% one, 35% two, 22% three, 12% four, 6% five. */
const wordCount = (random, max = 5) => {
  const r = random()
  const n = r < 0.25 ? 1 : r < 0.6 ? 2 : r < 0.82 ? 3 : r < 0.94 ? 4 : 5
  return Math.min(n, max)
}

// ---------------------------------------------------------------- ids (src/Domain/Ids.ts)

const namespaces = {
  album: Buffer.from("7655e6056eaa40d8a25f5c6c92a4d31a", "hex"),
  artist: Buffer.from("fe4df0f62c554ba6acf3134eae3e710e", "hex"),
  genre: Buffer.from("dd8dbd9c8ed7471980c571d978665dd0", "hex"),
  song: Buffer.from("4151ace36a9841cda3de8c242654cb67", "hex")
}

let scratch = Buffer.alloc(4096)

/** UUIDv5 as 32 lowercase hex digits (SQLite's CHAR(32) form). One-shot hashing of a reused buffer: 1M ids in seconds. */
export const uuidV5Hex = (namespace, name) => {
  if (scratch.length < 16 + name.length * 3) scratch = Buffer.alloc(16 + name.length * 3)
  namespace.copy(scratch, 0)
  const length = 16 + scratch.write(name, 16, "utf8")
  const digest = oneShotHash === undefined
    ? createHash("sha1").update(scratch.subarray(0, length)).digest()
    : oneShotHash("sha1", scratch.subarray(0, length), "buffer")
  digest[6] = (digest[6] & 0x0f) | 0x50
  digest[8] = (digest[8] & 0x3f) | 0x80
  return digest.toString("hex", 0, 16)
}

export const hyphenate = (hex) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`

// ---------------------------------------------------------------- the collection

/**
 * The whole collection in memory, column-wise (1M songs stay compact). Albums belong to an artist and a genre;
 * songs are spread evenly over albums (~15 each), 10% of them credited to another artist ("featuring"),
 * 5% to another genre. Popularity of artists and genres follows a Zipf law, so some genres are huge.
 */
export const generateCollection = (songCount, seed = 20240501) => {
  const random = mulberry32(seed)
  const vocabulary = makeVocabulary(random, 12_000)
  const word = zipf(random, vocabulary.length, 1.05)
  const name = (maxWords) => {
    const n = wordCount(random, maxWords)
    const parts = []
    for (let i = 0; i < n; i++) parts.push(capitalize(vocabulary[word()]))
    return parts.join(" ")
  }
  const uniqueNames = (count, maxWords) => {
    const names = []
    const seen = new Set()
    while (names.length < count) {
      const candidate = name(maxWords)
      const key = candidate.toLowerCase()
      if (!seen.has(key)) {
        seen.add(key)
        names.push(candidate)
      }
    }
    return names
  }
  const albumCount = Math.max(1, Math.round(songCount * 0.067))
  const artistCount = Math.max(1, Math.round(songCount * 0.045))
  const genreCount = Math.max(1, Math.round(songCount * 0.011))
  const albums = uniqueNames(albumCount, 5)
  const artists = uniqueNames(artistCount, 4)
  const genres = uniqueNames(genreCount, 3)

  // Every artist and genre gets at least one album; the rest are drawn by popularity.
  const popularArtist = zipf(random, artistCount, 0.8)
  const popularGenre = zipf(random, genreCount, 1.1)
  const albumArtist = new Int32Array(albumCount)
  const albumGenre = new Int32Array(albumCount)
  const albumYear = new Int32Array(albumCount)
  for (let a = 0; a < albumCount; a++) {
    albumArtist[a] = a < artistCount ? a : popularArtist()
    albumGenre[a] = a < genreCount ? a : popularGenre()
    albumYear[a] = random() < 0.03 ? 0 : 1950 + Math.floor(random() * 75)
  }

  const songName = new Array(songCount)
  const songAlbum = new Int32Array(songCount)
  const songArtist = new Int32Array(songCount)
  const songGenre = new Int32Array(songCount)
  const songTrack = new Int32Array(songCount)
  const songYear = new Int32Array(songCount)
  const songLength = new Int32Array(songCount)
  let previousAlbum = -1
  let track = 0
  for (let s = 0; s < songCount; s++) {
    const album = Math.floor((s * albumCount) / songCount)
    track = album === previousAlbum ? track + 1 : 1
    previousAlbum = album
    songName[s] = name(5)
    songAlbum[s] = album
    songArtist[s] = random() < 0.1 ? popularArtist() : albumArtist[album]
    songGenre[s] = random() < 0.05 ? popularGenre() : albumGenre[album]
    songTrack[s] = random() < 0.02 ? 0 : track
    songYear[s] = albumYear[album]
    songLength[s] = 60 + Math.floor(random() * random() * 540)
  }

  // What the HTTP benchmark asks for: a busy artist and genre, prefixes of common words.
  const artistSongs = new Int32Array(artistCount)
  const genreSongs = new Int32Array(genreCount)
  for (let s = 0; s < songCount; s++) {
    artistSongs[songArtist[s]]++
    genreSongs[songGenre[s]]++
  }
  const byCount = (counts) => [...counts.keys()].sort((x, y) => counts[y] - counts[x] || x - y)
  const artistRanks = byCount(artistSongs)
  const genreRanks = byCount(genreSongs)
  // An artist at the 1st percentile of popularity (busy but not the single biggest), the most popular genre.
  const pickArtist = artistRanks[Math.floor(artistCount * 0.01)]
  const pickGenre = genreRanks[0]
  const picks = {
    artist: artists[pickArtist],
    artistSongs: artistSongs[pickArtist],
    genre: genres[pickGenre],
    genreSongs: genreSongs[pickGenre],
    songPrefix: vocabulary[commonWords.indexOf("night")].slice(0, 3),
    albumPrefix: vocabulary[commonWords.indexOf("love")].slice(0, 2)
  }

  const ids = {
    albums: albums.map((n) => uuidV5Hex(namespaces.album, n.toLowerCase())),
    artists: artists.map((n) => uuidV5Hex(namespaces.artist, n.toLowerCase())),
    genres: genres.map((n) => uuidV5Hex(namespaces.genre, n.toLowerCase()))
  }
  const songPath = (s) =>
    `/music/${artists[albumArtist[songAlbum[s]]]}/${albums[songAlbum[s]]}/${String(s % 1000).padStart(3, "0")} ${songName[s]}.mp3`
  return {
    seed,
    counts: { songs: songCount, albums: albumCount, artists: artistCount, genres: genreCount },
    albums, artists, genres, ids,
    songs: { name: songName, album: songAlbum, artist: songArtist, genre: songGenre, track: songTrack, year: songYear, length: songLength },
    songId: (s) => uuidV5Hex(namespaces.song, songPath(s)),
    picks
  }
}

// ---------------------------------------------------------------- the change log

/** Generations after the first scan in the change log: the default CHANGES_RETENTION. */
export const LOGGED_SCANS = 100

/**
 * The change log as 100 re-scans after the first would leave it (the collection itself is the last one): each
 * changed 0.1% of the songs (the tags of a few files) and the spelling of one album. Ids in SQLite's hex form.
 */
const changeLog = (collection) => {
  const n = collection.counts.songs
  const perScan = Math.max(1, Math.round(n / 1000))
  const scans = []
  for (let generation = 2; generation <= LOGGED_SCANS + 1; generation++) {
    const songs = new Set()
    for (let k = 0; k < perScan; k++) songs.add((generation * 7919 + k * 104729) % n)
    const rows = [...songs].map((s) => ["songs", collection.songId(s), "changed"])
    rows.push(["albums", collection.ids.albums[(generation * 31) % collection.counts.albums], "changed"])
    scans.push({ generation, rows })
  }
  return scans
}

// ---------------------------------------------------------------- writing

/** Creates the schema with the program itself: `avalon scan -q` of an empty folder into the database. */
const createSchema = (bin, url) => {
  const empty = join(cacheRoot, "empty-collection")
  mkdirSync(empty, { recursive: true })
  const scan = spawnSync(process.execPath, [bin, "scan", "-q", empty], { env: cleanEnv({ AVALON_DATABASE_URL: url }), encoding: "utf8", timeout: 120_000 })
  if (scan.status !== 0) throw new Error(`creating the schema with \`avalon scan\` failed (${scan.status}):\n${scan.stdout}${scan.stderr}`)
}

const writeSqlite = async (collection, filename) => {
  const { default: Database } = await import("better-sqlite3")
  const db = new Database(filename)
  // Only for writing this throw-away file fast: no fsync, a cache big enough for the whole file, and the
  // secondary indexes built once at the end (by sorting) instead of row by row.
  db.pragma("synchronous = OFF")
  db.pragma("journal_mode = MEMORY")
  db.pragma("temp_store = MEMORY")
  db.pragma("cache_size = -1048576")
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tracks' AND sql IS NOT NULL").all()
  const { songs, ids } = collection
  const n = collection.counts.songs
  db.transaction(() => {
    for (const table of ["tracks", "albums", "artists", "genres", "avalon_files", "avalon_scans"]) db.prepare(`DELETE FROM ${table}`).run()
    for (const index of indexes) db.prepare(`DROP INDEX ${index.name}`).run()
    for (const [table, names] of [["albums", collection.albums], ["artists", collection.artists], ["genres", collection.genres]]) {
      const insert = db.prepare(`INSERT INTO ${table} (id, name) VALUES (?, ?)`)
      names.forEach((name, i) => insert.run(ids[table][i], name))
    }
    // Several rows per statement: far fewer VM round trips than one row at a time.
    const perStatement = 100
    const columns = "(id, name, length, track, year, album_id, artist_id, genre_id)"
    const many = db.prepare(`INSERT INTO tracks ${columns} VALUES ${Array(perStatement).fill("(?,?,?,?,?,?,?,?)").join(",")}`)
    const one = db.prepare(`INSERT INTO tracks ${columns} VALUES (?,?,?,?,?,?,?,?)`)
    // Rows in id order: the primary-key B-tree then grows at its end instead of splitting pages everywhere.
    let started = performance.now()
    const songIds = Array.from({ length: n }, (_, s) => collection.songId(s))
    const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => (songIds[a] < songIds[b] ? -1 : 1))
    if (n >= 100_000) log(`  song ids computed and sorted in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    started = performance.now()
    const row = (s) => [songIds[s], songs.name[s], songs.length[s], songs.track[s], songs.year[s], ids.albums[songs.album[s]], ids.artists[songs.artist[s]], ids.genres[songs.genre[s]]]
    let i = 0
    for (; i + perStatement <= n; i += perStatement) {
      const values = []
      for (let k = i; k < i + perStatement; k++) values.push(...row(order[k]))
      many.run(values)
    }
    for (; i < n; i++) one.run(row(order[i]))
    if (n >= 100_000) log(`  ${n} tracks inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    started = performance.now()
    const scan = db.prepare("INSERT INTO avalon_scans (generation, finished_at, root, songs, changes) VALUES (?, ?, '/music', ?, ?)")
    const change = db.prepare("INSERT INTO avalon_changes (generation, entity, id, change) VALUES (?, ?, ?, ?)")
    db.prepare("DELETE FROM avalon_changes").run()
    scan.run(1, new Date(0).toISOString(), n, null)
    for (const { generation, rows } of changeLog(collection)) {
      scan.run(generation, new Date(generation * 1000).toISOString(), n, rows.length)
      for (const [entity, id, kind] of rows) change.run(generation, entity, id, kind)
    }
    for (const index of indexes) db.prepare(index.sql).run()
    if (n >= 100_000) log(`  indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  })()
  db.pragma("journal_mode = DELETE")
  db.close()
}

const writePostgres = async (collection, url) => {
  const { default: pg } = await import("pg")
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { songs, ids } = collection
    const n = collection.counts.songs
    await client.query("BEGIN")
    await client.query("TRUNCATE tracks, albums, artists, genres, avalon_files, avalon_scans")
    for (const table of ["albums", "artists", "genres"]) {
      await client.query(`INSERT INTO ${table} (id, name) SELECT * FROM unnest($1::uuid[], $2::varchar[])`, [ids[table].map(hyphenate), collection[table]])
    }
    // unnest() of column arrays: one statement per 20,000 songs.
    const batch = 20_000
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch)
      const cols = [[], [], [], [], [], [], [], []]
      for (let s = start; s < end; s++) {
        cols[0].push(hyphenate(collection.songId(s)))
        cols[1].push(songs.name[s])
        cols[2].push(songs.length[s])
        cols[3].push(songs.track[s])
        cols[4].push(songs.year[s])
        cols[5].push(hyphenate(ids.albums[songs.album[s]]))
        cols[6].push(hyphenate(ids.artists[songs.artist[s]]))
        cols[7].push(hyphenate(ids.genres[songs.genre[s]]))
      }
      await client.query(
        "INSERT INTO tracks (id, name, length, track, year, album_id, artist_id, genre_id) " +
          "SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::int[], $5::int[], $6::uuid[], $7::uuid[], $8::uuid[])",
        cols
      )
    }
    await client.query("TRUNCATE avalon_changes")
    await client.query("INSERT INTO avalon_scans (generation, finished_at, root, songs) VALUES (1, $1, '/music', $2)", [new Date(0), n])
    for (const { generation, rows } of changeLog(collection)) {
      await client.query("INSERT INTO avalon_scans (generation, finished_at, root, songs, changes) VALUES ($1, $2, '/music', $3, $4)", [generation, new Date(generation * 1000), n, rows.length])
      await client.query(
        "INSERT INTO avalon_changes (generation, entity, id, change) SELECT $1, * FROM unnest($2::varchar[], $3::uuid[], $4::varchar[])",
        [generation, rows.map((row) => row[0]), rows.map((row) => hyphenate(row[1])), rows.map((row) => row[2])]
      )
    }
    await client.query("COMMIT")
    await client.query("ANALYZE")
  } finally {
    await client.end()
  }
}

/** Writes `collection` into the database at `url` (schema created first by the program at `bin`). */
export const writeCollection = async ({ collection, url, bin }) => {
  createSchema(bin, url)
  if (url.startsWith("sqlite:")) await writeSqlite(collection, resolve(decodeURIComponent(url.slice("sqlite:///".length))))
  else await writePostgres(collection, url)
}

/** Cache key of generated SQLite files: generator version, size, and the schema (migrations source). */
const schemaHash = () => {
  const file = join(projectRoot, "src", "Database", "migrations.ts")
  return existsSync(file) ? createHash("sha1").update(readFileSync(file)).digest("hex").slice(0, 8) : "none"
}

/**
 * A generated SQLite collection, cached under the bench cache folder and reused while the generator and the
 * schema are unchanged (generating 1M songs takes a while). Returns { url, file, generatedMs, cached }.
 */
export const sqliteCollection = async ({ songs, bin, fresh = false, makeCollection = () => generateCollection(songs) }) => {
  const dir = join(cacheRoot, "db")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `sqlite-${songs}-g${GENERATOR_VERSION}-s${schemaHash()}.sqlite`)
  if (!fresh && existsSync(file)) return { url: `sqlite:///${file}`, file, cached: true, generatedMs: 0 }
  const partial = `${file}.partial-${process.pid}`
  rmSync(partial, { force: true })
  const started = performance.now()
  await writeCollection({ collection: makeCollection(), url: `sqlite:///${partial}`, bin })
  renameSync(partial, file)
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(partial + suffix, { force: true })
  return { url: `sqlite:///${file}`, file, cached: false, generatedMs: performance.now() - started }
}

/** A fresh PostgreSQL database holding the collection; `drop()` removes it. */
export const postgresCollection = async ({ songs, bin, adminUrl, collection }) => {
  const { default: pg } = await import("pg")
  const name = `avalon_bench_${Date.now()}_${process.pid}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const target = new URL(adminUrl)
  target.pathname = `/${name}`
  const url = target.toString()
  const drop = async () => {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    } finally {
      await client.end()
    }
  }
  try {
    const started = performance.now()
    await writeCollection({ collection: collection ?? generateCollection(songs), url, bin })
    return { url, name, drop, generatedMs: performance.now() - started }
  } catch (error) {
    await drop().catch(() => {})
    throw error
  }
}

// ---------------------------------------------------------------- command line

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { songs: { type: "string", default: "10000" }, url: { type: "string" }, seed: { type: "string" } } })
  if (values.url === undefined) {
    process.stderr.write("usage: node scripts/bench/generate.mjs --songs N --url sqlite:////abs/path.sqlite|postgresql://…/db\n")
    process.exit(2)
  }
  const started = performance.now()
  const collection = generateCollection(Number(values.songs), values.seed === undefined ? undefined : Number(values.seed))
  log(`generated ${JSON.stringify(collection.counts)} in ${((performance.now() - started) / 1000).toFixed(2)} s; picks ${JSON.stringify(collection.picks)}`)
  await writeCollection({ collection, url: values.url, bin: join(projectRoot, "bin", "avalon.js") })
  log(`written to ${values.url} in ${((performance.now() - started) / 1000).toFixed(2)} s`)
}
