const RADIX_FROM = 2048

/**
 * Sorts non-negative 32-bit integers ascending in place: natively when few, else by an LSD radix
 * sort on two 16-bit digits (linear, where the comparison sort of 10^5–10^6 keys is not).
 */
export const sortNonNegative = (keys: Int32Array): Int32Array => {
  const n = keys.length
  if (n < RADIX_FROM) return keys.sort()
  const scratch = new Int32Array(n)
  const counts = new Int32Array(0x10001)
  for (let i = 0; i < n; i++) counts[(keys[i]! & 0xffff) + 1]!++
  for (let d = 1; d <= 0x10000; d++) counts[d]! += counts[d - 1]!
  for (let i = 0; i < n; i++) scratch[counts[keys[i]! & 0xffff]!++] = keys[i]!
  counts.fill(0)
  for (let i = 0; i < n; i++) counts[(scratch[i]! >>> 16) + 1]!++
  for (let d = 1; d <= 0x10000; d++) counts[d]! += counts[d - 1]!
  for (let i = 0; i < n; i++) keys[counts[scratch[i]! >>> 16]!++] = scratch[i]!
  return keys
}
