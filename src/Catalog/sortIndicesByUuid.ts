const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The 16-bit digit `digit` (0 = most significant) of a canonical UUID string. */
const hexDigits = (uuid: string, digit: number): number => {
  // Skip the hyphens after hex positions 8, 12, 16 and 20.
  let hexPosition = digit * 4
  let value = 0
  for (let k = 0; k < 4; k++, hexPosition++) {
    const at = hexPosition + (hexPosition >= 20 ? 4 : hexPosition >= 16 ? 3 : hexPosition >= 12 ? 2 : hexPosition >= 8 ? 1 : 0)
    const unit = uuid.charCodeAt(at)
    value = (value << 4) | (unit <= 0x39 ? unit - 0x30 : unit - 0x57)
  }
  return value
}

/**
 * Stable sort of `indices` by `uuidAt(index)` when every such string is a canonical (lowercase,
 * hyphenated) UUID: their code point order is then their numeric order, and an LSD radix sort over
 * 16-bit digits needs no string access after one sequential pass. Undefined when some id is not
 * canonical (the caller falls back to a general string sort).
 */
export const sortIndicesByUuid = (
  indices: Int32Array,
  count: number,
  uuidAt: (i: number) => string
): Int32Array | undefined => {
  const digits = new Uint16Array(count * 8)
  for (let i = 0; i < count; i++) {
    const uuid = uuidAt(i)
    if (!canonical.test(uuid)) return undefined
    for (let digit = 0; digit < 8; digit++) digits[i * 8 + digit] = hexDigits(uuid, digit)
  }
  const counts = new Int32Array(0x10001)
  let out = Int32Array.from(indices)
  let scratch = new Int32Array(indices.length)
  for (let digit = 7; digit >= 0; digit--) {
    counts.fill(0)
    for (let i = 0; i < out.length; i++) counts[digits[out[i]! * 8 + digit]! + 1]!++
    for (let d = 1; d <= 0x10000; d++) counts[d]! += counts[d - 1]!
    for (let i = 0; i < out.length; i++) {
      const item = out[i]!
      scratch[counts[digits[item * 8 + digit]!]!++] = item
    }
    const swap = out
    out = scratch
    scratch = swap
  }
  return out
}
