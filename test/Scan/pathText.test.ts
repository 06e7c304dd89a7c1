import { describe, expect, it } from "vitest"
import { FastCheck as fc } from "effect"
import { songId } from "../../src/Domain/Ids.js"
import { childPathText, fsPath, pathText } from "../../src/Domain/pathText.js"

const bytes = (text: string) => Buffer.from(text, "latin1")

describe("pathText", () => {
  it("is the path itself when its bytes are UTF-8, whatever they hold", () => {
    for (const path of ["/music/café.mp3", "/music/a\\b.mp3", "/m/\uFFFD.mp3", "/m/🎵", "/m/bytes:x"]) {
      expect(pathText(Buffer.from(path))).toBe(path)
      expect(fsPath(path)).toBe(path)
    }
  })

  // Expected values from Python: path.decode("utf-8", "surrogateescape"), each escaped byte written \xHH.
  it.each([
    ["/music/caf\xe9.mp3", "bytes:/music/caf\\xe9.mp3"],
    ["/m/\xe2\x82x", "bytes:/m/\\xe2\\x82x"],
    ["/m/\xc0\xaf", "bytes:/m/\\xc0\\xaf"],
    ["/m/\xed\xa0\x80", "bytes:/m/\\xed\\xa0\\x80"],
    ["/m/\xf4\x90\x80\x80", "bytes:/m/\\xf4\\x90\\x80\\x80"],
    ["/m/\xf0\x9f\x8e\xb5 \xff", "bytes:/m/🎵 \\xff"],
    ["/m/a\\b\xfe", "bytes:/m/a\\\\b\\xfe"],
    ["/m/\xe9\xe9\xe9", "bytes:/m/\\xe9\\xe9\\xe9"],
    ["/m/\xe2\x82", "bytes:/m/\\xe2\\x82"],
    ["/m/\xef\xbf\xbd\x80", "bytes:/m/\uFFFD\\x80"]
  ])("writes the bytes Python's surrogateescape escapes as \\xHH: %j", (raw, text) => {
    expect(pathText(bytes(raw))).toBe(text)
    expect(fsPath(text)).toEqual(bytes(raw))
  })

  it("gives the bytes back exactly, and distinct bytes distinct texts, all valid UTF-8", () => {
    const texts = new Map<string, string>()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (array) => {
        const raw = Buffer.concat([Buffer.from("/"), Buffer.from(array)])
        const text = pathText(raw)
        expect(Buffer.from(fsPath(text))).toEqual(raw)
        expect(Buffer.from(text, "utf8").toString("utf8")).toBe(text)
        const previous = texts.get(text)
        if (previous !== undefined) expect(previous).toBe(raw.toString("hex"))
        texts.set(text, raw.toString("hex"))
      }),
      { numRuns: 5000, seed: 7 }
    )
  })

  it("joins a folder and a name as the path of the joined bytes", () => {
    // A folder is normalized: it does not end with "/".
    const folderName = fc.uint8Array({ minLength: 1, maxLength: 12 }).filter((array) => array.at(-1) !== 0x2f)
    fc.assert(
      fc.property(folderName, fc.uint8Array({ minLength: 1, maxLength: 12 }), (folderBytes, nameBytes) => {
        const folder = Buffer.concat([Buffer.from("/music/"), Buffer.from(folderBytes)])
        const name = Buffer.from(nameBytes)
        const joined = Buffer.concat([folder, Buffer.from("/"), name])
        expect(childPathText(pathText(folder), name)).toBe(pathText(joined))
        if (pathText(name) === name.toString("utf8")) expect(childPathText(pathText(folder), name.toString("utf8"))).toBe(pathText(joined))
      }),
      { numRuns: 5000, seed: 11 }
    )
    expect(childPathText("/", "a.mp3")).toBe("/a.mp3")
    expect(childPathText("/", bytes("\xe9.mp3"))).toBe("bytes:/\\xe9.mp3")
  })
})

describe("songId of a path that is not UTF-8", () => {
  it("is the UUID v5 of its bytes, as the UTF-8 bytes of any other path", () => {
    expect(songId("bytes:/music/caf\\xe9.mp3")).toBe("4c0624d9-8b8b-5b5b-858e-3821549f8303")
    expect(songId("/music/café.mp3")).toBe("fa57397f-62c0-53b3-a59d-25ae6bee8135")
  })
})
