/**
 * MurmurHash3_x86_32 against the reference implementation's published test vectors (SMHasher's
 * MurmurHash3_x86_32; the widely quoted set of verification strings and seeds), over UTF-8 bytes.
 */
import { describe, expect, it } from 'vitest';
import { murmur3_32 } from '#shared/kernel/hash';

describe('murmur3_32', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['aa', 0x9747b28c, 0x5d211726],
    ['aaa', 0x9747b28c, 0x283e0130],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['ab', 0x9747b28c, 0x74875592],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['test', 0, 0xba6bd213],
    ['Hello, world!', 1234, 0xfaf6cdb3],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['ππππππππ', 0x9747b28c, 0xd58063c1],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hashes %j with seed %i to the reference value', (text, seed, expected) => {
    expect(murmur3_32(text, seed)).toBe(expected);
  });

  it('takes the seed modulo 2³² and returns an unsigned 32-bit integer', () => {
    expect(murmur3_32('shopper-1', -1)).toBe(murmur3_32('shopper-1', 0xffffffff));
    expect(murmur3_32('shopper-1', 2 ** 32 + 5)).toBe(murmur3_32('shopper-1', 5));
    for (let i = 0; i < 1000; i++) {
      const h = murmur3_32(`u${i}`, 42);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});
