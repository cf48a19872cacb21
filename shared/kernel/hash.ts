/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain reference, `MurmurHash3_x86_32`
 * in SMHasher), over the UTF-8 bytes of a string: a fast, well-mixed, seeded, non-cryptographic
 * hash that gives the same value on every platform (32-bit integer operations only), so it can
 * key samples that several processes must agree on. Checked against the reference's published
 * test vectors in test/unit/kernel/hash.test.ts. Not for anything an adversary chooses to collide.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const UTF8 = new TextEncoder();

const rotl32 = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

const scramble = (k: number): number => Math.imul(rotl32(Math.imul(k, C1), 15), C2);

/** MurmurHash3_x86_32 of `text`'s UTF-8 bytes with a 32-bit `seed` (taken modulo 2³²): an integer in [0, 2³²). */
export const murmur3_32 = (text: string, seed: number): number => {
  const bytes = UTF8.encode(text);
  const length = bytes.length;
  const blocks = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    const k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    h ^= scramble(k);
    h = (Math.imul(rotl32(h, 13), 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (bytes[blocks + 2] as number) << 16;
    if (tail >= 2) k ^= (bytes[blocks + 1] as number) << 8;
    k ^= bytes[blocks] as number;
    h ^= scramble(k);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};
