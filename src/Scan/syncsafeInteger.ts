/** The 28-bit "synchsafe" integer of ID3v2 sizes at `bytes[offset .. offset + 3]`: seven low bits per byte. */
export const syncsafeInteger = (bytes: Uint8Array, offset: number): number =>
  ((bytes[offset]! & 0x7f) << 21) | ((bytes[offset + 1]! & 0x7f) << 14) | ((bytes[offset + 2]! & 0x7f) << 7) | (bytes[offset + 3]! & 0x7f)
