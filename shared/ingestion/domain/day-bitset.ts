/**
 * A set of UTC day numbers as a base64 bitset starting at `base`: one bit a day, so twenty
 * years of daily activity fit in about 1 KB. Setting a day twice changes nothing, which keeps
 * "active days" exact when an old event for an already-counted day arrives again.
 */
export interface DayBitset {
  readonly base: number;
  readonly bits: string;
}

const decode = (set: DayBitset | null): { base: number; bytes: Uint8Array } =>
  set
    ? { base: set.base, bytes: new Uint8Array(Buffer.from(set.bits, 'base64')) }
    : { base: 0, bytes: new Uint8Array() };

export const addDays = (set: DayBitset | null, days: readonly number[]): DayBitset | null => {
  if (days.length === 0) return set;
  const current = decode(set);
  const low = Math.min(...days, ...(set ? [current.base] : []));
  const base = low - (((low % 8) + 8) % 8);
  const high = Math.max(...days, ...(set ? [current.base + current.bytes.length * 8 - 1] : []));
  const bytes = new Uint8Array(Math.floor((high - base) / 8) + 1);
  if (set) bytes.set(current.bytes, (current.base - base) / 8);
  for (const day of days) {
    const offset = day - base;
    bytes[offset >> 3] = (bytes[offset >> 3] ?? 0) | (1 << (offset & 7));
  }
  return { base, bits: Buffer.from(bytes).toString('base64') };
};

export const countDays = (set: DayBitset | null): number => {
  let count = 0;
  for (let byte of decode(set).bytes) {
    while (byte) {
      count += byte & 1;
      byte >>= 1;
    }
  }
  return count;
};

export const hasDay = (set: DayBitset | null, day: number): boolean => {
  const { base, bytes } = decode(set);
  const offset = day - base;
  return offset >= 0 && (((bytes[offset >> 3] ?? 0) >> (offset & 7)) & 1) === 1;
};

/** The latest day in the set, or null when it is empty. */
export const lastDay = (set: DayBitset | null): number | null => {
  const { base, bytes } = decode(set);
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] as number;
    if (byte === 0) continue;
    return base + i * 8 + (31 - Math.clz32(byte));
  }
  return null;
};

/** Every day in the set, ascending. */
export const daysIn = (set: DayBitset | null): number[] => {
  const { base, bytes } = decode(set);
  const days: number[] = [];
  bytes.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if ((byte >> bit) & 1) days.push(base + i * 8 + bit);
  });
  return days;
};

/** The days in either set. */
export const unionDays = (a: DayBitset | null, b: DayBitset | null): DayBitset | null =>
  b === null ? a : addDays(a, daysIn(b));
