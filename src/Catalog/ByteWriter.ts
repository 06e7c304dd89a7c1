/** Appends bytes to a growing buffer; the fast way to build a large UTF-8 body from many small strings. */
export class ByteWriter {
  private buffer: Buffer
  private at = 0

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(64, capacity))
  }

  get length(): number {
    return this.at
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    const needed = this.at + bytes
    if (needed <= this.buffer.length) return
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.buffer.length))
    this.buffer.copy(grown, 0, 0, this.at)
    this.buffer = grown
  }

  /** Any string. */
  utf8(text: string): void {
    this.reserve(3 * text.length)
    this.at += this.buffer.write(text, this.at, "utf8")
  }

  /** A string known to be ASCII. */
  ascii(text: string): void {
    this.reserve(text.length)
    this.at += this.buffer.write(text, this.at, "latin1")
  }

  bytes(bytes: Buffer): void {
    const length = bytes.length
    this.reserve(length)
    if (length <= 24) {
      const { buffer } = this
      let at = this.at
      for (let i = 0; i < length; i++) buffer[at++] = bytes[i]!
      this.at = at
    } else {
      this.at += bytes.copy(this.buffer, this.at)
    }
  }

  /** `source[start .. end - 1]`. */
  range(source: Buffer, start: number, end: number): void {
    const length = end - start
    this.reserve(length)
    if (length <= 64) {
      const { buffer } = this
      let at = this.at
      for (let i = start; i < end; i++) buffer[at++] = source[i]!
      this.at = at
    } else {
      this.at += source.copy(this.buffer, this.at, start, end)
    }
  }

  /** A number as JSON (integers written digit by digit, without a temporary string). */
  number(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0 || value >= 1e9) {
      this.ascii(Number.isFinite(value) ? String(value) : "null")
      return
    }
    let digits = 1
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
    this.reserve(digits)
    const { buffer } = this
    let rest = value
    for (let i = this.at + digits - 1; i >= this.at; i--) {
      buffer[i] = 0x30 + (rest % 10)
      rest = Math.floor(rest / 10)
    }
    this.at += digits
  }

  /** The UUID `ids[at .. at + 15]` as a JSON string: lowercase, hyphenated. */
  uuid(ids: Uint8Array, at: number): void {
    this.reserve(38)
    const { buffer } = this
    let out = this.at
    buffer[out++] = 0x22
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) buffer[out++] = 0x2d
      const byte = ids[at + i]!
      buffer[out++] = hexDigits[byte >> 4]!
      buffer[out++] = hexDigits[byte & 15]!
    }
    buffer[out++] = 0x22
    this.at = out
  }

  byte(value: number): void {
    this.reserve(1)
    this.buffer[this.at++] = value
  }

  /** Overwrites the last byte written. */
  replaceLast(bytes: Buffer): void {
    this.at--
    this.bytes(bytes)
  }

  /** The bytes written, without keeping a much larger allocation alive behind a view. */
  finish(): Buffer {
    const { at, buffer } = this
    return at === buffer.length ? buffer : at < buffer.length * 0.9 ? Buffer.from(buffer.subarray(0, at)) : buffer.subarray(0, at)
  }
}

const hexDigits = Buffer.from("0123456789abcdef")

/** Characters that JSON.stringify would escape (surrogates: let it decide whether they pair up). */
const needsEscaping = /["\\\x00-\x1f\ud800-\udfff]/

/** Appends `text` as a JSON string, exactly as `JSON.stringify` writes it. */
export const writeJsonString = (out: ByteWriter, text: string): void => {
  if (needsEscaping.test(text)) {
    out.utf8(JSON.stringify(text))
  } else {
    out.byte(0x22)
    out.utf8(text)
    out.byte(0x22)
  }
}
