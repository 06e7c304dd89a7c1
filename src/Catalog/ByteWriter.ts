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
    // Exactly when the worst case does not fit: a writer sized beforehand must not grow near its end.
    if (this.at + 3 * text.length > this.buffer.length) this.reserve(Buffer.byteLength(text))
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
    if (length <= 256) {
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
    const start = this.at
    buffer[start] = 0x22
    buffer[start + 9] = buffer[start + 14] = buffer[start + 19] = buffer[start + 24] = 0x2d
    for (let i = 0; i < 16; i++) {
      const byte = ids[at + i]!
      const out = start + uuidPositions[i]!
      buffer[out] = hexDigits[byte >> 4]!
      buffer[out + 1] = hexDigits[byte & 15]!
    }
    buffer[start + 37] = 0x22
    this.at = start + 38
  }

  /** `text` as a JSON string, exactly as `JSON.stringify` writes it. */
  jsonString(text: string): void {
    const length = text.length
    this.reserve(length + 2)
    const { buffer } = this
    let out = this.at
    buffer[out++] = 0x22
    // Printable ASCII is copied as it is; anything else takes the general way.
    for (let i = 0; i < length; i++) {
      const unit = text.charCodeAt(i)
      if (unit < 0x20 || unit > 0x7f || unit === 0x22 || unit === 0x5c) return this.escapedJsonString(text)
      buffer[out++] = unit
    }
    buffer[out++] = 0x22
    this.at = out
  }

  private escapedJsonString(text: string): void {
    if (needsEscaping.test(text)) {
      this.utf8(JSON.stringify(text))
    } else {
      this.byte(0x22)
      this.utf8(text)
      this.byte(0x22)
    }
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

/** The bytes `number(value)` writes. */
export const numberLength = (value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 1e9) return Number.isFinite(value) ? String(value).length : 4
  let digits = 1
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
  return digits
}

/** The bytes `jsonString(text)` writes. */
export const jsonStringLength = (text: string): number => {
  const length = text.length
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x20 || unit > 0x7f || unit === 0x22 || unit === 0x5c) {
      return needsEscaping.test(text) ? Buffer.byteLength(JSON.stringify(text)) : Buffer.byteLength(text) + 2
    }
  }
  return length + 2
}

const hexDigits = Buffer.from("0123456789abcdef")
/** Where the two hex digits of each byte of a UUID go in `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"`. */
const uuidPositions = Uint8Array.of(1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35)

/** Characters that JSON.stringify would escape (surrogates: let it decide whether they pair up). */
const needsEscaping = /["\\\x00-\x1f\ud800-\udfff]/

