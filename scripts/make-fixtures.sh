#!/usr/bin/env bash
# Regenerates test/fixtures/collection/ (see test/fixtures/README.md for what each file must yield).
# Deterministic for a given ffmpeg build: bitexact muxing, fixed Ogg serials, no random bytes.
# Tags ffmpeg cannot write (ID3v1 alone, ID3v2.2, an ID3 chunk in WAV) are written by the node helper below.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/test/fixtures/collection"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v ffmpeg >/dev/null || { echo "make-fixtures: ffmpeg is required" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"/{mp3,ogg,opus,flac,m4a,wav,aiff,wma,untagged,corrupt,extras,links,.hidden-folder} \
  "$out/nested/one/two/three"

cat >"$work/helper.mjs" <<'EOF'
import { readFileSync, writeFileSync } from "node:fs"

const [command, file, ...args] = process.argv.slice(2)
const latin1 = (text, length) => {
  const bytes = Buffer.alloc(length)
  bytes.write(text, "latin1")
  return bytes
}
const syncsafe = (n) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
const pairs = (list) => {
  const result = []
  for (let i = 0; i < list.length; i += 2) result.push([list[i], list[i + 1]])
  return result
}

switch (command) {
  // id3v1 FILE title artist album year track genreIndex: appends a 128-byte ID3v1.1 tag
  case "id3v1": {
    const [title, artist, album, year, track, genre] = args
    const tag = Buffer.concat([
      Buffer.from("TAG", "latin1"), latin1(title, 30), latin1(artist, 30), latin1(album, 30),
      latin1(year, 4), Buffer.alloc(28), Buffer.from([0, Number(track), Number(genre)])
    ])
    writeFileSync(file, Buffer.concat([readFileSync(file), tag]))
    break
  }
  // id3v22 FILE ID VALUE ...: prepends an ID3v2.2 tag (3-char frame ids, 3-byte sizes, UTF-16 text)
  case "id3v22": {
    const frames = pairs(args).map(([id, value]) => {
      const body = Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(value, "utf16le")])
      const size = Buffer.from([(body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff])
      return Buffer.concat([Buffer.from(id, "latin1"), size, body])
    })
    const body = Buffer.concat(frames)
    const header = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 2, 0, 0]), syncsafe(body.length)])
    writeFileSync(file, Buffer.concat([header, body, readFileSync(file)]))
    break
  }
  // wav-id3 FILE ID VALUE ...: appends an "id3 " RIFF chunk holding an ID3v2.4 tag (UTF-8 text)
  case "wav-id3": {
    const frames = pairs(args).map(([id, value]) => {
      const body = Buffer.concat([Buffer.from([3]), Buffer.from(value, "utf8")])
      return Buffer.concat([Buffer.from(id, "latin1"), syncsafe(body.length), Buffer.from([0, 0]), body])
    })
    const frameBytes = Buffer.concat(frames)
    let tag = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0]), syncsafe(frameBytes.length), frameBytes])
    if (tag.length % 2 === 1) tag = Buffer.concat([tag, Buffer.alloc(1)])
    const chunkHeader = Buffer.alloc(8)
    chunkHeader.write("id3 ", 0, "latin1")
    chunkHeader.writeUInt32LE(tag.length, 4)
    const wav = Buffer.concat([readFileSync(file), chunkHeader, tag])
    wav.writeUInt32LE(wav.length - 8, 4)
    writeFileSync(file, wav)
    break
  }
  // noise FILE LENGTH: deterministic pseudo-random bytes (a fixed LCG, not /dev/urandom)
  case "noise": {
    const bytes = Buffer.alloc(Number(args[0]))
    let state = 0x2545f491
    for (let i = 0; i < bytes.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      bytes[i] = state >>> 24
    }
    writeFileSync(file, bytes)
    break
  }
  default:
    throw new Error(`unknown helper command ${command}`)
}
EOF
helper() { node "$work/helper.mjs" "$@"; }

# sine SECONDS RATE: a mono sine input; every encode below is bitexact and drops ffmpeg's own metadata.
ff() {
  local seconds="$1" rate="$2"
  shift 2
  ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "sine=frequency=440:sample_rate=${rate}:duration=${seconds}" -ac 1 \
    -map_metadata -1 -fflags +bitexact -flags:a +bitexact "$@"
}
tags() { # title artist album genre track date -> $T
  T=(-metadata "title=$1" -metadata "artist=$2" -metadata "album=$3"
    -metadata "genre=$4" -metadata "track=$5" -metadata "date=$6")
}
mp3() { ff "$1" 8000 -c:a libmp3lame -b:a 8k "${@:2}"; }

# --- MP3 -----------------------------------------------------------------------------------------------
mp3 1.5 -id3v2_version 0 "$out/mp3/id3v1-only.mp3"
helper id3v1 "$out/mp3/id3v1-only.mp3" "Straight Edge" "Minor Threat" "Minor Threat" 1981 5 43

mp3 1.5 -id3v2_version 0 "$out/mp3/id3v2.2.mp3"
helper id3v22 "$out/mp3/id3v2.2.mp3" TT2 "Filler" TP1 "Minor Threat" TAL "First Two Seven Inches" \
  TCO "(43)" TRK "3/12" TYE "1981"

tags "日本語の歌 🎵" "Björk" "¡Uno!" "Electrónica" "3/12" "2004"
mp3 1.5 -id3v2_version 3 "${T[@]}" "$out/mp3/id3v2.3.mp3"
tags "Back in Black" "AC/DC" "Back in Black" "Hard Rock" "6/10" "1980"
mp3 1.5 -id3v2_version 3 "${T[@]}" "$out/mp3/id3v2.3-slash.mp3"
tags "Out of Step" "MINOR THREAT" "Out of Step" "Hardcore Punk" "A1" "2004-05-06"
mp3 2.5 -id3v2_version 4 "${T[@]}" "$out/mp3/id3v2.4.mp3"

mp3 1.5 -id3v2_version 0 "$out/untagged/no-tags.mp3"
# VBR without a Xing header: the fast parse finds no duration, so the reader re-parses it with duration:true.
tags "No Xing Header" "Fugazi" "Repeater" "Post-Hardcore" "4" "1990"
ffmpeg -hide_banner -loglevel error -nostdin -y \
  -f lavfi -i "aevalsrc=sin(440*2*PI*t)*lt(t\\,1)+0.5*sin(3000*2*PI*t*t)*gte(t\\,1):s=16000:d=2.5" -ac 1 \
  -map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a libmp3lame -q:a 9 -write_xing 0 \
  -id3v2_version 4 "${T[@]}" "$out/mp3/vbr-no-xing.mp3"

# --- Ogg (small pages, so the reader stops before the last page and the duration comes from the tail) ---
tags "  Guilty of Being White  " "minor threat" "  Out of Step" "Hardcore" "3/12" "2004-05-06T10:11:12"
ff 2.5 8000 -c:a libvorbis -q:a 0 -page_duration 20000 "${T[@]}" "$out/ogg/vorbis.ogg"
tags "Café ☕ Olé" "Sigur Rós" "Ágætis byrjun" "Post-Rock" "1" "sometime in May"
ff 2.5 48000 -c:a libopus -b:a 6k -page_duration 20000 "${T[@]}" "$out/opus/voice.opus"

# --- FLAC, MP4, WAV, AIFF, ASF -------------------------------------------------------------------------
tags "Seeing Red" "Minor Threat" "Minor Threat" "Hardcore" "2" "2004-05-06 10:11:12"
ff 1.5 8000 -c:a flac "${T[@]}" "$out/flac/lossless.flac"
tags "Deep" "Minor Threat" "Nested Folders" "Hardcore" "9/9" "1983"
ff 1.5 8000 -c:a flac "${T[@]}" "$out/nested/one/two/three/deep.flac"
tags "Héroes" "Minor Threat" "Salad Days" "Hardcore" "1/3" "2004"
ff 1.5 8000 -c:a aac -b:a 8k "${T[@]}" "$out/m4a/aac.m4a"
tags "Hoppípolla" "Sigur Rós" "Takk..." "Post-Rock" "4/11" "2005-09-12"
ff 1.5 8000 -c:a alac "${T[@]}" "$out/m4a/alac.m4a"
tags "Äpfel" "Kraftwerk" "Computerwelt" "Electronic" "2/7" "1981-05-10"
ff 1.5 8000 -c:a pcm_s8 -write_id3v2 1 "${T[@]}" "$out/aiff/id3.aiff"
ff 1.5 8000 -c:a wmav2 -b:a 24k -metadata "title=Windows Song" -metadata "artist=Daft Punk" \
  -metadata "album=Discovery" -metadata "genre=House" -metadata "track=3/14" -metadata "WM/Year=2001" \
  "$out/wma/asf.wma"
ff 1.5 8000 -c:a pcm_u8 "$out/wav/id3.wav"
helper wav-id3 "$out/wav/id3.wav" TIT2 "Wave Ünïcode" TPE1 "Wave Artist" TALB "RIFF Tales" \
  TCON "Ambient" TRCK "7" TDRC "1999"

# --- Broken files ----------------------------------------------------------------------------------------
helper noise "$out/corrupt/random-bytes.mp3" 4096
# Cut inside the Vorbis comment block: music-metadata alone would report a tag-less song.
head -c 120 "$out/flac/lossless.flac" >"$out/corrupt/truncated.flac"
: >"$out/corrupt/empty.mp3"

# --- Not audio, hidden, links ----------------------------------------------------------------------------
ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "color=c=red:s=8x8" -frames:v 1 \
  -fflags +bitexact -flags +bitexact "$out/extras/cover.jpg"
printf '#EXTM3U\n../mp3/id3v2.4.mp3\n../flac/lossless.flac\n' >"$out/extras/playlist.m3u"
printf 'Liner notes: not audio.\n' >"$out/extras/notes.txt"
cp "$out/untagged/no-tags.mp3" "$out/.hidden.mp3"
cp "$out/untagged/no-tags.mp3" "$out/.hidden-folder/inside.mp3"
ln -s ../flac/lossless.flac "$out/links/linked.flac"
ln -s .. "$out/links/up"
ln -s . "$out/links/self"

echo "make-fixtures: wrote $(find "$out" -type f | wc -l) files, $(du -sk --apparent-size "$out" | cut -f1) KB into ${out#"$root"/}"
