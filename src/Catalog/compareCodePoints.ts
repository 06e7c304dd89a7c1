/**
 * Maps a UTF-16 code unit so that comparing mapped units compares code points: surrogates
 * (astral characters) move above U+E000–U+FFFF, which move down into the gap.
 */
export const codePointUnit = (unit: number): number =>
  unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800

/**
 * Orders strings by Unicode code point (not by UTF-16 code unit as `<` does, not by locale).
 * Strings are assumed well formed (text decoded from UTF-8 is); a lone surrogate sorts as an astral character.
 */
export const compareCodePoints = (a: string, b: string, from = 0): number => {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = from; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointUnit(x) - codePointUnit(y)
  }
  return a.length - b.length
}
