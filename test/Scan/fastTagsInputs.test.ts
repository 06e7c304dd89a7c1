import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { fastTags } from "../../src/Scan/fastTags.js"
import { readTagsWithMusicMetadata, type TagReadOutcome } from "../../src/Scan/readTags.js"
import { fixtureRoot } from "./fixtureTable.js"

// Inputs built from the fixtures, each read by the fast path and by music-metadata (readTags' other path).
const fixture = (path: string): Buffer => readFileSync(join(fixtureRoot, path))

/** The fast path takes the file and agrees with music-metadata; its outcome. */
const fastAndSame = async (name: string, contents: Buffer): Promise<TagReadOutcome> => {
  const fast = fastTags(name, contents)
  expect(fast).toEqual(await readTagsWithMusicMetadata(name, contents))
  expect(fast).toBeDefined()
  return fast!
}

const declined = (name: string, contents: Buffer, why = ""): void => expect(fastTags(name, contents), why).toBeUndefined()

const song = (outcome: TagReadOutcome) => {
  if (outcome.kind !== "song") throw new Error(`not a song: ${JSON.stringify(outcome)}`)
  return outcome
}

// ---- ID3v2 + MPEG (untagged/no-tags.mp3: a Xing "Info" frame, then audio)

const mpegAudio = fixture("untagged/no-tags.mp3")
const syncsafe = (n: number): Buffer => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
const be32 = (n: number): Buffer => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(n)
  return bytes
}

type Frame = { readonly id: string; readonly body: Buffer; readonly flags?: number; readonly size?: number }
const textFrame = (id: string, text: string | Buffer, encoding = 3): Frame => ({
  id,
  body: Buffer.concat([Buffer.from([encoding]), typeof text === "string" ? Buffer.from(text, encoding === 0 ? "latin1" : "utf8") : text])
})
const utf16 = (text: string, bom: "le" | "be" | "none"): Buffer => {
  const le = Buffer.from(text, "utf16le")
  if (bom === "none") return le
  if (bom === "le") return Buffer.concat([Buffer.from([0xff, 0xfe]), le])
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()])
}

const id3v2 = (major: 3 | 4, frames: ReadonlyArray<Frame>, options: { readonly flags?: number; readonly padding?: number; readonly size?: number } = {}): Buffer => {
  const body = Buffer.concat([
    ...frames.map((frame) =>
      Buffer.concat([
        Buffer.from(frame.id, "latin1"),
        major === 4 ? syncsafe(frame.size ?? frame.body.length) : be32(frame.size ?? frame.body.length),
        Buffer.from([0, frame.flags ?? 0]),
        frame.body
      ])),
    Buffer.alloc(options.padding ?? 0)
  ])
  return Buffer.concat([Buffer.from("ID3", "latin1"), Buffer.from([major, 0, options.flags ?? 0]), syncsafe(options.size ?? body.length), body])
}
const mp3 = (tag: Buffer): Buffer => Buffer.concat([tag, mpegAudio])

describe("fast path for ID3v2 MP3s", () => {
  it("reads ID3v2.4 NUL-separated values as music-metadata does (first artist and genre, last album)", async () => {
    const outcome = song(await fastAndSame("a.mp3", mp3(id3v2(4, [
      textFrame("TPE1", "Artist One\u0000Artist Two"),
      textFrame("TCON", "Rock\u0000Pop"),
      textFrame("TALB", "First\u0000Second"),
      textFrame("TIT2", "Title\u0000Part two")
    ]))))
    expect(outcome.tags).toMatchObject({ artist: "Artist One", genre: "Rock" })
  })

  it("keeps an ID3v2.3 artist with a slash whole, but not one with NUL separators", async () => {
    expect(song(await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TPE1", "AC/DC", 0)])))).tags.artist).toBe("AC/DC")
    expect(song(await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TPE1", "AC\u0000DC", 0)])))).tags.artist).toBe("AC")
  })

  it("decodes UTF-16 with a little-endian BOM, without a BOM, with doubled BOMs; leaves big-endian to music-metadata", async () => {
    for (const text of [utf16("Björk 🎵", "le"), utf16("Sigur Rós", "none"), Buffer.concat([Buffer.from([0xff, 0xfe]), utf16("Café", "le")])]) {
      await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TIT2", text, 1), textFrame("TPE1", Buffer.concat([text, Buffer.from([0, 0])]), 1)])))
    }
    await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TALB", Buffer.concat([utf16("One", "le"), Buffer.from([0, 0]), utf16("Two", "le")]), 1)])))
    declined("a.mp3", mp3(id3v2(3, [textFrame("TIT2", utf16("Big", "be"), 1)])))
    declined("a.mp3", mp3(id3v2(4, [textFrame("TIT2", Buffer.from(utf16("Big", "none")).swap16(), 2)])))
    declined("a.mp3", mp3(id3v2(3, [textFrame("TIT2", Buffer.from([0x41, 0x00, 0x42]), 1)]))) // odd length
  })

  it("reads Latin-1 text, trailing NULs and padding", async () => {
    const outcome = song(await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TIT2", "Café Olé\u0000\u0000", 0)], { padding: 100 }))))
    expect(outcome.tags.name).toBe("Café Olé")
  })

  it("takes the year from TDRC, TYER, or both, as music-metadata's date and year", async () => {
    for (const frames of [
      [textFrame("TYER", "1999")],
      [textFrame("TDRC", "2004-05-06")],
      [textFrame("TYER", "1999"), textFrame("TDRC", "2004")],
      [textFrame("TDRC", "2004"), textFrame("TYER", "1999")],
      [textFrame("TYER", "nineteen")],
      [textFrame("TDRC", "05/06/2004")],
      [textFrame("TDRC", " ")]
    ]) {
      await fastAndSame("a.mp3", mp3(id3v2(3, frames)))
      await fastAndSame("a.mp3", mp3(id3v2(4, frames)))
    }
    expect(song(await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TYER", "nineteen")])))).warnings).toEqual(["unparseable year: stored as 0"])
  })

  it("resolves genre references like music-metadata's parseGenre", async () => {
    for (const genre of ["(17)", "(17)Rock", "17", "(4)(9)", "((Foo)", "(RX)", "(CR)Bar", "(999)", "Duo Cello/Piano", "(17", ""]) {
      await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TCON", genre)])))
      await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TCON", genre)])))
    }
    expect(song(await fastAndSame("a.mp3", mp3(id3v2(3, [textFrame("TCON", "(17)")])))).tags.genre).toBe("Rock")
  })

  it("parses track numbers and warns about junk like music-metadata's path", async () => {
    for (const track of ["3/12", "A1", "0", "", "007", " 4 ", "x/12"]) await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TRCK", track)])))
    expect(song(await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TRCK", "3/12")])))).tags.track).toBe(3)
  })

  it("reads a file cut after the Xing header like music-metadata", async () => {
    await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")])).subarray(0, 200))
    await fastAndSame("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")])).subarray(0, 400))
  })

  it("skips pictures and empty frames", async () => {
    await fastAndSame("a.mp3", mp3(id3v2(4, [{ id: "APIC", body: Buffer.from("\u0000image/png\u0000\u0003\u0000PNG", "latin1") }, { id: "TIT1", body: Buffer.alloc(0) }, textFrame("TIT2", "x")])))
  })

  it("declines what it does not read itself", () => {
    declined("a.mp3", mp3(id3v2(4, [{ ...textFrame("TIT2", "long"), size: 200 }])), "frame past the tag's end")
    declined("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")], { size: 100_000 })), "tag past the file's end")
    declined("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")], { flags: 0x80 })), "unsynchronisation")
    declined("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")], { flags: 0x40 })), "extended header")
    declined("a.mp3", mp3(id3v2(4, [{ ...textFrame("TIT2", "x"), flags: 0x02 }])), "frame unsynchronisation")
    declined("a.mp3", mp3(id3v2(3, [{ ...textFrame("TIT2", "x"), flags: 0x80 }])), "compression")
    declined("a.mp3", mp3(id3v2(4, [{ id: "TXXX", body: Buffer.from("\u0003ARTISTS\u0000A", "latin1") }])), "case 7")
    declined("a.mp3", mp3(id3v2(4, [{ id: "COMM", body: Buffer.from("\u0003eng\u0000note", "latin1") }])), "case 8")
    const junkAfterPadding = id3v2(4, [textFrame("TIT2", "x")], { padding: 20 })
    declined("a.mp3", mp3(junkAfterPadding.fill(1, junkAfterPadding.length - 5)), "case 10")
    declined("a.mp3", Buffer.concat([mp3(id3v2(4, [textFrame("TIT2", "x")])), Buffer.from("TAG"), Buffer.alloc(125)]), "ID3v1")
    declined("a.mp3", Buffer.concat([id3v2(4, [textFrame("TIT2", "x")]), id3v2(3, [textFrame("TALB", "y")]), mpegAudio]), "two tags")
    declined("a.mp3", mp3(id3v2(4, [textFrame("TIT2", "x")])).subarray(0, 100), "cut inside the Xing header")
    declined("a.mp3", fixture("mp3/vbr-no-xing.mp3"), "case 14")
    declined("a.mp3", fixture("mp3/id3v2.2.mp3"), "case 15")
  })
})

// ---- FLAC (flac/lossless.flac with its VORBIS_COMMENT block replaced)

const le32 = (n: number): Buffer => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32LE(n)
  return bytes
}
const vorbisComment = (comments: ReadonlyArray<string>): Buffer =>
  Buffer.concat([le32(6), Buffer.from("vendor"), le32(comments.length), ...comments.flatMap((comment) => [le32(Buffer.byteLength(comment)), Buffer.from(comment)])])

const flacWithComments = (comment: Buffer): Buffer => {
  const original = fixture("flac/lossless.flac")
  const blocks: Array<{ type: number; data: Buffer }> = []
  let at = 4
  for (let last = false; !last;) {
    last = (original[at]! & 0x80) !== 0
    const length = original.readUIntBE(at + 1, 3)
    blocks.push({ type: original[at]! & 0x7f, data: original.subarray(at + 4, at + 4 + length) })
    at += 4 + length
  }
  const kept = blocks.map((block) => (block.type === 4 ? { type: 4, data: comment } : block))
  return Buffer.concat([
    Buffer.from("fLaC"),
    ...kept.flatMap((block, i) => {
      const header = Buffer.alloc(4)
      header[0] = block.type | (i === kept.length - 1 ? 0x80 : 0)
      header.writeUIntBE(block.data.length, 1, 3)
      return [header, block.data]
    }),
    original.subarray(at)
  ])
}

describe("fast path for Vorbis comments (FLAC)", () => {
  it("upper-cases keys like music-metadata", async () => {
    const outcome = song(await fastAndSame("a.flac", flacWithComments(vorbisComment(["artist=lower", "Title=Mixed", "ALBUM=Upper", "tracknumber=7", "Date=1999"]))))
    expect(outcome.tags).toMatchObject({ artist: "lower", name: "Mixed", album: "Upper", track: 7, year: 1999 })
  })

  it("keeps the first of several ARTIST and GENRE comments, fills the artist from ARTISTS", async () => {
    expect(song(await fastAndSame("a.flac", flacWithComments(vorbisComment(["ARTIST=One", "ARTIST=Two", "GENRE=Rock", "GENRE=Pop"])))).tags)
      .toMatchObject({ artist: "One", genre: "Rock" })
    await fastAndSame("a.flac", flacWithComments(vorbisComment(["ARTISTS=One", "ARTISTS=Two", "ARTISTS=Three"])))
    await fastAndSame("a.flac", flacWithComments(vorbisComment(["ARTISTS=One", "ARTIST=Solo", "ARTISTS=Two"])))
    await fastAndSame("a.flac", flacWithComments(vorbisComment(["ARTIST=", "ARTISTS=Two"])))
  })

  it("reads odd comments: no '=', empty values, dates, pictures, junk track numbers", async () => {
    await fastAndSame("a.flac", flacWithComments(vorbisComment(["no equals sign", "TITLE=", "DATE=05/06/2004", "TRACKNUMBER=A1", "METADATA_BLOCK_PICTURE=AAAA", "TRACKTOTAL=12", "STYLE=Punk"])))
    await fastAndSame("a.flac", flacWithComments(vorbisComment([])))
  })

  it("declines a comment block whose lengths run past its end", () => {
    const comments = vorbisComment(["TITLE=x"])
    comments.writeUInt32LE(1000, 14)
    declined("a.flac", flacWithComments(comments))
    declined("a.flac", fixture("corrupt/truncated.flac"))
  })
})

// ---- MP4 (m4a/aac.m4a with its ilst replaced)

const atom = (name: string, ...payload: ReadonlyArray<Buffer>): Buffer => {
  const body = Buffer.concat(payload)
  return Buffer.concat([be32(8 + body.length), Buffer.from(name, "latin1"), body])
}
const dataAtom = (type: number, value: Buffer): Buffer => atom("data", Buffer.from([0, 0, 0, type, 0, 0, 0, 0]), value)

/** `m4a/aac.m4a` with the payload of moov/udta/meta/ilst replaced, the sizes of its parents adjusted. */
const m4aWithItems = (...items: ReadonlyArray<Buffer>): Buffer => {
  const original = fixture("m4a/aac.m4a")
  const path = ["moov", "udta", "meta", "ilst"]
  const replace = (start: number, end: number, depth: number): Buffer => {
    const parts: Array<Buffer> = []
    for (let at = start; at < end;) {
      const length = original.readUInt32BE(at)
      const name = original.toString("latin1", at + 4, at + 8)
      if (name !== path[depth]) parts.push(original.subarray(at, at + length))
      else if (depth === path.length - 1) parts.push(atom(name, ...items))
      else {
        const skip = name === "meta" ? 4 : 0
        parts.push(atom(name, original.subarray(at + 8, at + 8 + skip), replace(at + 8 + skip, at + length, depth + 1)))
      }
      at += length
    }
    return Buffer.concat(parts)
  }
  return replace(0, original.length, 0)
}
const utf8Item = (name: string, text: string): Buffer => atom(name, dataAtom(1, Buffer.from(text)))

describe("fast path for iTunes MP4 atoms", () => {
  it("reads trkn and disk numbers, gnre genre numbers and text items", async () => {
    const outcome = song(await fastAndSame("a.m4a", m4aWithItems(
      utf8Item("©nam", "Title"),
      atom("trkn", dataAtom(0, Buffer.from([0, 0, 0, 3, 0, 12, 0, 0]))),
      atom("disk", dataAtom(0, Buffer.from([0, 0, 0, 1, 0, 2]))),
      atom("gnre", dataAtom(0, Buffer.from([0, 18])))
    )))
    expect(outcome.tags).toMatchObject({ name: "Title", track: 3, genre: "Rock" })
    await fastAndSame("a.m4a", m4aWithItems(atom("trkn", dataAtom(0, Buffer.from([0, 0, 0, 0, 0, 12, 0, 0])))))
    await fastAndSame("a.m4a", m4aWithItems(utf8Item("©gen", "Jazz"), atom("gnre", dataAtom(0, Buffer.from([0, 18])))))
  })

  it("reads freeform ---- items and the artist from iTunes ARTISTS", async () => {
    const freeform = (name: string, text: string) =>
      atom("----", atom("mean", Buffer.alloc(4), Buffer.from("com.apple.iTunes")), atom("name", Buffer.alloc(4), Buffer.from(name)), dataAtom(1, Buffer.from(text)))
    await fastAndSame("a.m4a", m4aWithItems(freeform("ARTISTS", "One"), freeform("ARTISTS", "Two"), freeform("iTunNORM", " 0000")))
    await fastAndSame("a.m4a", m4aWithItems(utf8Item("©ART", "Solo"), freeform("ARTISTS", "Two"), utf8Item("©day", "2004-05-06T00:00:00Z")))
  })

  it("declines integer items, genre numbers out of range and damaged atoms", () => {
    declined("a.m4a", m4aWithItems(atom("tmpo", dataAtom(21, Buffer.from([0, 120])))))
    declined("a.m4a", m4aWithItems(atom("gnre", dataAtom(0, Buffer.from([0, 0])))))
    declined("a.m4a", m4aWithItems(atom("trkn", dataAtom(0, Buffer.from([0, 0, 0, 3])))))
    declined("a.m4a", m4aWithItems(atom("©nam", Buffer.from([0, 0, 0, 50]), Buffer.from("data"))))
    declined("a.m4a", fixture("m4a/aac.m4a").subarray(0, 2000))
  })
})

// ---- RIFF/WAVE (LIST/INFO and id3 chunks on the PCM of wav/id3.wav)

const riff = (...chunks: ReadonlyArray<Buffer>): Buffer => {
  const body = Buffer.concat([Buffer.from("WAVE"), ...chunks])
  return Buffer.concat([Buffer.from("RIFF"), le32(body.length), body])
}
const chunk = (id: string, data: Buffer): Buffer => Buffer.concat([Buffer.from(id, "latin1"), le32(data.length), data, Buffer.alloc(data.length & 1)])
const wavChunks = (() => {
  const original = fixture("wav/id3.wav")
  const chunks = new Map<string, Buffer>()
  for (let at = 12; at + 8 <= original.length;) {
    const size = original.readUInt32LE(at + 4)
    chunks.set(original.toString("latin1", at, at + 4), original.subarray(at + 8, at + 8 + size))
    at += 8 + size + (size & 1)
  }
  return chunks
})()
const info = (...tags: ReadonlyArray<readonly [string, string]>): Buffer =>
  chunk("LIST", Buffer.concat([Buffer.from("INFO"), ...tags.map(([id, text]) => chunk(id, Buffer.from(`${text}\u0000`, "latin1")))]))

describe("fast path for RIFF/WAVE", () => {
  it("reads LIST/INFO (Latin-1), the id3 chunk, and both together", async () => {
    const fmt = chunk("fmt ", wavChunks.get("fmt ")!)
    const data = chunk("data", wavChunks.get("data")!)
    const id3 = chunk("id3 ", wavChunks.get("id3 ")!)
    const outcome = song(await fastAndSame("a.wav", riff(fmt, info(["INAM", "Café"], ["IART", "Odd"], ["ITRK", "5"], ["ICRD", "2001"]), data)))
    expect(outcome.tags).toMatchObject({ name: "Café", artist: "Odd", track: 5, year: 2001, length: 1 })
    await fastAndSame("a.wav", riff(fmt, data, info(["INAM", "After the data"])))
    await fastAndSame("a.wav", riff(fmt, info(["INAM", "Both"], ["IGNR", "Jazz"]), id3, data))
  })

  it("declines CSET, fact and chunks past the end", () => {
    const fmt = chunk("fmt ", wavChunks.get("fmt ")!)
    const data = chunk("data", wavChunks.get("data")!)
    declined("a.wav", riff(fmt, chunk("CSET", Buffer.from([0xe9, 0xfd, 0, 0, 0, 0, 0, 0])), info(["INAM", "x"]), data))
    declined("a.wav", riff(fmt, chunk("fact", le32(100)), data))
    const cut = riff(fmt, info(["INAM", "a longer title"]), data)
    declined("a.wav", cut.subarray(0, 60))
  })
})

// ---- Ogg: cut files are left to music-metadata

describe("fast path for Ogg", () => {
  it("reads a stream cut after page 12 like music-metadata (which stops there), declines one cut before", async () => {
    const vorbis = fixture("ogg/vorbis.ogg")
    const opus = fixture("opus/voice.opus")
    await fastAndSame("a.ogg", vorbis.subarray(0, vorbis.length - 100))
    await fastAndSame("a.opus", opus.subarray(0, 3000))
    declined("a.ogg", vorbis.subarray(0, 1000))
    declined("a.opus", opus.subarray(0, 600))
  })
})

describe("fast path declines layouts on which music-metadata throws", () => {
  it("a WAV LIST chunk shorter than its list type", async () => {
    const fmt = chunk("fmt ", wavChunks.get("fmt ")!)
    const data = chunk("data", wavChunks.get("data")!)
    const contents = riff(fmt, Buffer.concat([Buffer.from("LIST"), le32(2), Buffer.from("ab")]), data)
    declined("a.wav", contents)
    expect((await readTagsWithMusicMetadata("a.wav", contents)).kind).toBe("corrupt")
  })

  it("an MP4 audio track without a sample size table", async () => {
    const original = fixture("m4a/aac.m4a")
    const at = original.indexOf("stsz", 0, "latin1")
    const contents = Buffer.from(original)
    contents.write("xxxx", at, "latin1")
    declined("a.m4a", contents)
    expect((await readTagsWithMusicMetadata("a.m4a", contents)).kind).toBe("corrupt")
  })
})
