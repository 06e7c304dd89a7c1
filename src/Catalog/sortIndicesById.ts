/**
 * Stable sort of `indices` by the 16-byte id `ids[16 i .. 16 i + 15]` of each index `i`, in byte
 * order (which is the code point order of the lowercase hyphenated spelling): an LSD radix sort
 * over 16-bit digits. Returns a new array.
 */
export const sortIndicesById = (indices: Int32Array, ids: Uint8Array): Int32Array => {
  const n = indices.length
  let out = Int32Array.from(indices)
  let scratch = new Int32Array(n)
  if (n < 2) return out
  const counts = new Int32Array(0x10001)
  for (let at = 14; at >= 0; at -= 2) {
    counts.fill(0)
    for (let i = 0; i < n; i++) {
      const id = 16 * out[i]! + at
      counts[((ids[id]! << 8) | ids[id + 1]!) + 1]!++
    }
    // A digit shared by every id orders nothing.
    if (counts[((ids[16 * out[0]! + at]! << 8) | ids[16 * out[0]! + at + 1]!) + 1] === n) continue
    for (let d = 1; d <= 0x10000; d++) counts[d]! += counts[d - 1]!
    for (let i = 0; i < n; i++) {
      const item = out[i]!
      const id = 16 * item + at
      scratch[counts[(ids[id]! << 8) | ids[id + 1]!]!++] = item
    }
    const swap = out
    out = scratch
    scratch = swap
  }
  return out
}
