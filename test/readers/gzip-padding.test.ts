import { describe, expect, it } from 'vitest';
import { GzipPadding } from '../../src/readers/decompress/gzip-padding.js';

describe('GzipPadding', () => {
  it('takes zero bytes up to 16 MiB, in any pieces', () => {
    const padding = new GzipPadding();
    padding.take(Buffer.alloc(0));
    padding.take(Buffer.alloc(100_001));
    padding.take(Buffer.alloc(16 * 1024 * 1024 - 100_001));
    expect(() => padding.take(Buffer.alloc(1))).toThrow(/more than 16777216 bytes follow the end of the gzip stream/u);
  });

  it('throws at a byte other than zero, wherever it lies in a piece', () => {
    for (const at of [0, 65_535, 65_536, 200_000]) {
      const piece = Buffer.alloc(200_001);
      piece[at] = 1;
      expect(() => new GzipPadding().take(piece)).toThrow('data follows the end of the gzip stream');
    }
  });
});
