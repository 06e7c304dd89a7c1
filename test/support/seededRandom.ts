/** A deterministic generator of integers in `0 .. n - 1` (mulberry32), for generated test cases. */
export const seededRandom = (seed: number) => (n: number): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) % n
}
