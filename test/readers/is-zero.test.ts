import { describe, expect, it } from 'vitest';
import { isZero } from '../../src/readers/is-zero.js';

describe('isZero', () => {
  it('is true for no bytes and for zeros of any length', () => {
    for (const length of [0, 1, 512, 65_536, 200_001]) expect(isZero(Buffer.alloc(length))).toBe(true);
  });

  it('is false for one byte other than zero anywhere, across its 64 KiB pieces', () => {
    for (const at of [0, 1, 511, 65_535, 65_536, 200_000]) {
      const bytes = Buffer.alloc(200_001);
      bytes[at] = 0x80;
      expect(isZero(bytes), `byte ${at}`).toBe(false);
    }
  });
});
