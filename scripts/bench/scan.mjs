// Scan benchmark: a collection of ~5,920 real small audio files of mixed formats (made with ffmpeg, cached),
// a "read every byte" baseline, full scans into fresh SQLite files and unchanged re-scans.
import { spawn, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { cacheRoot, cleanEnv, log, median, track, waitForQuiet } from "./lib.mjs"

/** Bump when the generated collection changes (it is cached under the bench cache folder). */
export const SCAN_COLLECTION_VERSION = 1

const artists = 128
const albumsPerArtist = 4
const songsPerAlbum = 10
const templatesPerFormat = 4

// Format shares of the 5,120 songs (a library is mostly MP3, then FLAC, AAC, Vorbis, Opus, a little WAV).
const formats = [
  { ext: "mp3", share: 40, args: ["-c:a", "libmp3lame", "-b:a", "8k", "-ar", "8000", "-id3v2_version", "0", "-write_id3v1", "0"] },
  { ext: "flac", share: 20, args: ["-c:a", "flac", "-ar", "8000"] },
  { ext: "m4a", share: 15, args: ["-c:a", "aac", "-b:a", "16k", "-ar", "8000"] },
  { ext: "ogg", share: 12, args: ["-c:a", "libvorbis", "-q:a", "0", "-ar", "16000"] },
  { ext: "opus", share: 8, args: ["-c:a", "libopus", "-b:a", "8k", "-ar", "8000"] },
  { ext: "wav", share: 5, args: ["-c:a", "pcm_s16le", "-ar", "8000"] }
]

const words = ["Black", "Summer", "River", "Golden", "Night", "Electric", "Ocean", "Silver", "Winter", "Paradise", "Björk", "Sigur", "Café", "Niño", "Mötley", "Señor", "Blue", "Moon", "Street", "Fire"]
const pick = (i, n = 1) => Array.from({ length: n }, (_, k) => words[(i * 7 + k * 13) % words.length]).join(" ")

const ffmpeg = (args) => {
  const result = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], { encoding: "utf8" })
  if (result.error) throw new Error(`cannot run ffmpeg (apt-get install ffmpeg): ${result.error.message}`)
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed:\n${result.stderr}`)
}

/** ID3v2.4 tag with UTF-8 text frames, prepended to each tag-less MP3 copy so every MP3 has its own tags. */
const id3v24 = (tags) => {
  const syncsafe = (n) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
  const frames = Object.entries(tags).map(([id, text]) => {
    const data = Buffer.concat([Buffer.from([3]), Buffer.from(String(text), "utf8")])
    return Buffer.concat([Buffer.from(id, "latin1"), syncsafe(data.length), Buffer.from([0, 0]), data])
  })
  const body = Buffer.concat(frames)
  return Buffer.concat([Buffer.from("ID3", "latin1"), Buffer.from([4, 0, 0]), syncsafe(body.length), body])
}

const makeTemplates = (dir) => {
  mkdirSync(dir, { recursive: true })
  const templates = {}
  for (const format of formats) {
    templates[format.ext] = []
    for (let t = 0; t < templatesPerFormat; t++) {
      const file = join(dir, `t${t}.${format.ext}`)
      const tags = format.ext === "mp3"
        ? ["-map_metadata", "-1"]
        : ["-metadata", `title=${pick(t + 3, 2)}`, "-metadata", `artist=${pick(t + 11)} ${format.ext}`, "-metadata", `album=${pick(t + 5, 2)}`,
          "-metadata", `genre=${pick(t + 1)}`, "-metadata", `track=${t + 1}/12`, "-metadata", `date=${1990 + t}`]
      ffmpeg(["-f", "lavfi", "-i", `sine=frequency=${330 + 110 * t}:duration=1:sample_rate=8000`, "-ac", "1", ...tags, ...format.args, file])
      templates[format.ext].push(file)
    }
  }
  const cover = join(dir, "cover.jpg")
  ffmpeg(["-f", "lavfi", "-i", "color=c=navy:s=64x64", "-frames:v", "1", cover])
  return { templates, cover }
}

/**
 * The collection: 128 artists × 4 albums × 10 songs = 5,120 songs of mixed formats in Artist/Album folders,
 * plus 512 cover.jpg, 256 notes.txt and 32 playlist.m3u = 5,920 files. Built once, reused while cached.
 */
export const scanCollection = () => {
  const base = join(cacheRoot, `scan-v${SCAN_COLLECTION_VERSION}`)
  const root = join(base, "collection")
  const done = join(base, "complete.json")
  if (existsSync(done)) return { root, ...JSON.parse(readFileSync(done, "utf8")), cached: true }
  rmSync(base, { recursive: true, force: true })
  const started = performance.now()
  log("scan bench: generating the audio collection with ffmpeg (once; cached in " + base + ")")
  const { templates, cover } = makeTemplates(join(base, "templates"))
  const mp3Audio = templates.mp3.map((file) => readFileSync(file))
  // Deterministic format per song, following the shares.
  const wheel = formats.flatMap((format) => Array(format.share).fill(format.ext))
  const counts = { songs: 0, notAudio: 0, byFormat: {} }
  let song = 0
  for (let a = 0; a < artists; a++) {
    const artist = `${pick(a, 1 + (a % 3))} ${a}`
    for (let b = 0; b < albumsPerArtist; b++) {
      const albumIndex = a * albumsPerArtist + b
      const album = `${pick(albumIndex + 2, 1 + (albumIndex % 4))} ${albumIndex}`
      const folder = join(root, artist, album)
      mkdirSync(folder, { recursive: true })
      for (let k = 0; k < songsPerAlbum; k++, song++) {
        const ext = wheel[(song * 37) % wheel.length]
        const title = `${pick(song + 4, 1 + (song % 5))} ${song}`
        const file = join(folder, `${String(k + 1).padStart(2, "0")} ${title}.${ext}`)
        const template = song % templatesPerFormat
        if (ext === "mp3") {
          const tag = id3v24({ TIT2: title, TPE1: artist, TALB: album, TCON: pick(a + b, 1), TRCK: `${k + 1}/${songsPerAlbum}`, TDRC: String(1970 + (albumIndex % 50)) })
          writeFileSync(file, Buffer.concat([tag, mp3Audio[template]]))
        } else copyFileSync(templates[ext][template], file)
        counts.songs++
        counts.byFormat[ext] = (counts.byFormat[ext] ?? 0) + 1
      }
      copyFileSync(cover, join(folder, "cover.jpg"))
      counts.notAudio++
      if (albumIndex % 2 === 0) {
        writeFileSync(join(folder, "notes.txt"), `${album} by ${artist}\nRecorded somewhere, mixed elsewhere.\n`)
        counts.notAudio++
      }
      if (albumIndex % 16 === 0) {
        writeFileSync(join(folder, "playlist.m3u"), readdirSync(folder).filter((f) => !f.endsWith(".jpg") && !f.endsWith(".txt")).join("\n") + "\n")
        counts.notAudio++
      }
    }
  }
  const info = { files: counts.songs + counts.notAudio, ...counts, generatedMs: performance.now() - started }
  writeFileSync(done, JSON.stringify(info))
  return { root, ...info, cached: false }
}

/** Every regular file under `root`, in directory order. */
export const listFiles = (root) => {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push(path)
    }
  }
  walk(root)
  return files
}

/** Walk and read every byte of every file (single thread): the floor under any full scan. */
const readEverything = (root) => {
  const started = performance.now()
  let bytes = 0
  const files = listFiles(root)
  for (const file of files) bytes += readFileSync(file).length
  return { ms: performance.now() - started, files: files.length, bytes }
}

/** GNU time, when installed, gives each scan's CPU time (user + system, tag worker threads included). */
const timeCommand = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined

const runScan = ({ bin, url, root, full, nodeArgs = [] }) =>
  new Promise((resolve, reject) => {
    const args = [...nodeArgs, bin, "scan", ...(full ? ["--full"] : []), root]
    const started = performance.now()
    const [command, commandArgs] = timeCommand === undefined
      ? [process.execPath, args]
      : [timeCommand, ["-f", "avalon-bench-cpu %U %S", process.execPath, ...args]]
    const child = track(spawn(command, commandArgs, { env: cleanEnv({ AVALON_DATABASE_URL: url }), stdio: ["ignore", "pipe", "pipe"] }))
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code) => {
      const wallMs = performance.now() - started
      if (code !== 0) return reject(new Error(`avalon scan exited with ${code}:\n${stdout}${stderr}`))
      const summary = /Scanned .* in ([\d.]+) s: (\d+) files seen, (\d+) read, (\d+) gone/.exec(stdout)
      const cpu = /avalon-bench-cpu ([\d.]+) ([\d.]+)/.exec(stderr)
      resolve({
        wallMs,
        cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN,
        scanMs: summary ? Number(summary[1]) * 1000 : NaN,
        filesSeen: summary ? Number(summary[2]) : NaN,
        filesRead: summary ? Number(summary[3]) : NaN,
        songsWritten: Number(/Songs written: (\d+)/.exec(stdout)?.[1]),
        unchanged: /collection unchanged/.test(stdout),
        skipped: /Skipped: ([^\n]*)/.exec(stdout)?.[1],
        warnings: (stderr.match(/\[WARN/g) ?? []).length,
        stdout,
        stderrTail: stderr.slice(-2000)
      })
    })
  })

export const benchScan = async ({ bin, repeats, nodeArgs = [] }) => {
  const collection = scanCollection()
  log(`scan bench: ${collection.files} files (${collection.songs} songs) under ${collection.root}${collection.cached ? " (cached)" : ""}`)
  readEverything(collection.root) // warm the page cache
  const baselines = Array.from({ length: 3 }, () => readEverything(collection.root))
  const baselineMs = median(baselines.map((b) => b.ms))
  const dbDir = join(cacheRoot, `scan-db-${process.pid}`)
  mkdirSync(dbDir, { recursive: true })
  try {
    const full = []
    let url
    for (let i = 0; i < repeats; i++) {
      url = `sqlite:///${join(dbDir, `full-${i}.sqlite`)}`
      await waitForQuiet()
      const run = await runScan({ bin, url, root: collection.root, full: true, nodeArgs })
      log(`full scan #${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s wall, ${(run.scanMs / 1000).toFixed(2)} s reported, ${run.cpuMs.toFixed(0)} ms CPU, ${run.filesSeen} files, ${run.songsWritten} songs, ${run.warnings} warnings`)
      full.push(run)
    }
    const unchanged = []
    for (let i = 0; i < repeats; i++) {
      await waitForQuiet()
      const run = await runScan({ bin, url, root: collection.root, full: false, nodeArgs })
      log(`unchanged re-scan #${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s wall, ${(run.scanMs / 1000).toFixed(2)} s reported, ${run.cpuMs.toFixed(0)} ms CPU, read ${run.filesRead}${run.unchanged ? ", nothing written" : ""}`)
      unchanged.push(run)
    }
    // Every file re-read into the database that holds them: a new generation whose change log (compared with the
    // previous file states and albums/artists/genres) is empty. The fresh full scans above record none at all.
    const fullRescans = []
    for (let i = 0; i < repeats; i++) {
      await waitForQuiet()
      const run = await runScan({ bin, url, root: collection.root, full: true, nodeArgs })
      log(`full re-scan #${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s wall, ${(run.scanMs / 1000).toFixed(2)} s reported, ${run.cpuMs.toFixed(0)} ms CPU, ${run.songsWritten} songs`)
      fullRescans.push(run)
    }
    const files = collection.files
    const fullWallMs = median(full.map((r) => r.wallMs))
    const fullScanMs = median(full.map((r) => r.scanMs))
    return {
      collection: { root: collection.root, files, songs: collection.songs, notAudio: collection.notAudio, byFormat: collection.byFormat, bytes: baselines[0].bytes },
      baseline: { ms: baselineMs, filesPerSecond: files / (baselineMs / 1000) },
      full: {
        wallMs: fullWallMs,
        scanMs: fullScanMs,
        filesPerSecondWall: files / (fullWallMs / 1000),
        filesPerSecondScan: files / (fullScanMs / 1000),
        cpuMs: median(full.map((r) => r.cpuMs)),
        songsWritten: full[0].songsWritten,
        skipped: full[0].skipped,
        warnings: full[0].warnings,
        runs: full.map(({ stdout, stderrTail, ...rest }) => ({ ...rest, stdout }))
      },
      unchanged: {
        wallMs: median(unchanged.map((r) => r.wallMs)),
        scanMs: median(unchanged.map((r) => r.scanMs)),
        cpuMs: median(unchanged.map((r) => r.cpuMs)),
        nothingWritten: unchanged.every((r) => r.unchanged),
        filesRead: unchanged[0].filesRead,
        runs: unchanged.map(({ stdout, stderrTail, ...rest }) => ({ ...rest, stdout }))
      },
      fullRescan: {
        wallMs: median(fullRescans.map((r) => r.wallMs)),
        scanMs: median(fullRescans.map((r) => r.scanMs)),
        cpuMs: median(fullRescans.map((r) => r.cpuMs)),
        runs: fullRescans.map(({ stdout, stderrTail, ...rest }) => ({ ...rest, stdout }))
      },
      firstFullScanStderrTail: full[0].stderrTail
    }
  } finally {
    rmSync(dbDir, { recursive: true, force: true })
  }
}

