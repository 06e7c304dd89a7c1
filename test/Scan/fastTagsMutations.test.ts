import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { fastTags } from "../../src/Scan/fastTags.js"
import { readTagsWithMusicMetadata } from "../../src/Scan/readTags.js"
import { fixtureRoot } from "./fixtureTable.js"

// Damaged copies of the fixtures the fast path takes (bytes overwritten, inserted, cut off): wherever it still
// answers, it must answer what music-metadata answers. Deterministic (a fixed-seed generator).
// AVALON_FASTTAGS_MUTATIONS and AVALON_FASTTAGS_SEED run more, or others, for a deeper check.
const mutationsPerFile = Number(process.env.AVALON_FASTTAGS_MUTATIONS ?? 150)

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const fixtures = [
  "mp3/id3v2.3.mp3", "mp3/id3v2.4.mp3", "untagged/no-tags.mp3", "flac/lossless.flac", "ogg/vorbis.ogg", "opus/voice.opus",
  "m4a/aac.m4a", "m4a/alac.m4a", "wav/id3.wav", "extras/cover.jpg"
]

const mutate = (original: Buffer, random: () => number): Buffer => {
  const copy = Buffer.from(original)
  // Mostly the first 4 KB (tags, headers, first frames) and the last 64 KB' tail (Ogg's last page).
  const position = () => (random() < 0.8 ? Math.floor(random() * Math.min(copy.length, 4096)) : Math.floor(random() * copy.length))
  switch (Math.floor(random() * 5)) {
    case 0: {
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) copy[position()] = Math.floor(random() * 256)
      return copy
    }
    case 1: {
      const at = position()
      copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8))
      return copy
    }
    case 2:
      return copy.subarray(0, position())
    case 3: {
      const at = position()
      return Buffer.concat([copy.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), copy.subarray(at)])
    }
    default: {
      const at = position()
      return Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1 + Math.floor(random() * 4))])
    }
  }
}

describe("fast path on damaged files", () => {
  it.each(fixtures)("%s: every answer it gives is music-metadata's", async (fixture) => {
    const original = readFileSync(join(fixtureRoot, fixture))
    const name = `damaged${fixture.slice(fixture.lastIndexOf("."))}`
    const random = mulberry32(fixture.length * 7919 + Number(process.env.AVALON_FASTTAGS_SEED ?? 0))
    let answered = 0
    for (let n = 0; n < mutationsPerFile; n++) {
      const contents = mutate(original, random)
      if (contents.length === 0) continue
      const fast = fastTags(name, contents)
      if (fast === undefined) continue
      answered++
      expect({ n, outcome: fast }).toEqual({ n, outcome: await readTagsWithMusicMetadata(name, contents) })
    }
    // Most damage lands in audio data or tag text: the fast path still answers many of them.
    expect(answered).toBeGreaterThan(mutationsPerFile / 10)
  })
})
