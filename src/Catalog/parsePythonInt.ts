/** Non-ASCII characters Python treats as whitespace (`Py_UNICODE_ISSPACE`). */
const unicodeSpace = /^[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/
const decimalDigit = /^\p{Nd}$/u
const asciiForm = /^[ \t\n\v\f\r]*([+-]?)([0-9]+(?:_[0-9]+)*)[ \t\n\v\f\r]*$/

const isDecimalDigit = (codePoint: number): boolean =>
  codePoint >= 0 && decimalDigit.test(String.fromCodePoint(codePoint))

/** Unicode keeps each decimal digit set contiguous from 0 to 9, so the value is the offset in its run. */
const digitValue = (codePoint: number): number => {
  let start = codePoint
  while (isDecimalDigit(start - 1)) start--
  return (codePoint - start) % 10
}

/** Python's `_PyUnicode_TransformDecimalAndSpaceToASCII`: undefined where Python would put `?`. */
const toAscii = (text: string): string | undefined => {
  let out = ""
  for (const char of text) {
    const codePoint = char.codePointAt(0)!
    if (codePoint < 127) out += char
    else if (unicodeSpace.test(char)) out += " "
    else if (decimalDigit.test(char)) out += String(digitValue(codePoint))
    else return undefined
  }
  return out
}

/** Plain ASCII digits, as most `limit`/`offset` values are: no regular expression needed. */
const isShortDecimal = (text: string): boolean => {
  if (text.length === 0 || text.length > 15) return false
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x30 || unit > 0x39) return false
  }
  return true
}

/**
 * Parses `text` as Python 3's `int(text)` does: surrounding whitespace, an optional sign, decimal
 * digits (any Unicode decimal digit) with single underscores between them. Undefined when Python
 * would raise ValueError (`1.5`, `1e3`, `0x10`, ``, `1__0`, `- 5`).
 */
export const parsePythonInt = (text: string): bigint | undefined => {
  if (isShortDecimal(text)) return BigInt(text)
  const ascii = /^[\x00-\x7e]*$/.test(text) ? text : toAscii(text)
  if (ascii === undefined) return undefined
  const match = asciiForm.exec(ascii)
  if (match === null) return undefined
  const magnitude = BigInt(match[2]!.replaceAll("_", ""))
  return match[1] === "-" ? -magnitude : magnitude
}
