import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockCache } from '../../src/readers/block-cache.js';
import { BufferAccess, type RandomAccess } from '../../src/readers/random-access.js';
import { useTempFileAccess } from '../helpers/temp-file-access.js';

/** Small blocks so a few hundred bytes cross several of them; the logic does not depend on the size. */
const SMALL = { grain: 16, blockSize: 64, slots: 2 } as const;
/** Not a multiple of the grain or the block: the last block is short. */
const DATA = randomBytes(1000 + 7);

const fileAccess = useTempFileAccess();

/** DATA, whose reads fail from `bad` on. */
function failingFrom(bad: number): RandomAccess {
  return {
    size: DATA.length,
    read: () => Promise.reject(new Error('unused')),
    readInto: (target, offset, length, position) => {
      if (position + length > bad) return Promise.reject(new Error('EIO: disk on fire'));
      return Promise.resolve(DATA.copy(target, offset, position, Math.min(DATA.length, position + length)));
    },
    close: () => Promise.resolve(),
  };
}

async function read(cache: BlockCache, position: number, length: number): Promise<Buffer> {
  const target = Buffer.alloc(length, 0xee);
  const count = await cache.read(target, 0, position, length);
  return target.subarray(0, count);
}

describe.each([
  ['a file', (): Promise<RandomAccess> => fileAccess(DATA)],
  ['a buffer', (): Promise<RandomAccess> => Promise.resolve(new BufferAccess(DATA))],
])('BlockCache over %s', (_label, open) => {
  it.each([
    ['inside one block', 3, 10],
    ['straddling two blocks', 60, 10],
    ['straddling grains within a run', 10, 40],
    ['bigger than a block and all the slots', 5, 300],
    ['the whole file', 0, DATA.length],
    ['ending exactly at the end', DATA.length - 20, 20],
  ])('reads %s', async (_what, position, length) => {
    const cache = new BlockCache(await open(), SMALL);
    expect((await read(cache, position, length)).equals(DATA.subarray(position, position + length))).toBe(true);
  });

  it('returns fewer bytes only at the end of the file, and none past it', async () => {
    const cache = new BlockCache(await open(), SMALL);
    expect((await read(cache, DATA.length - 5, 40)).equals(DATA.subarray(DATA.length - 5))).toBe(true);
    expect((await read(cache, DATA.length, 10)).length).toBe(0);
    expect((await read(cache, DATA.length + 100, 10)).length).toBe(0);
    expect((await read(cache, 17, 0)).length).toBe(0);
  });

  it('writes at the offset asked, and nothing around it', async () => {
    const cache = new BlockCache(await open(), SMALL);
    const target = Buffer.alloc(100, 0xee);
    expect(await cache.read(target, 30, 50, 40)).toBe(40);
    expect(target.subarray(30, 70).equals(DATA.subarray(50, 90))).toBe(true);
    expect(target.subarray(0, 30).every((byte) => byte === 0xee)).toBe(true);
    expect(target.subarray(70).every((byte) => byte === 0xee)).toBe(true);
  });

  it('agrees with the file on a thousand random reads, in any order', async () => {
    const cache = new BlockCache(await open(), SMALL);
    let seed = 12345;
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % bound;
    };
    for (let i = 0; i < 1000; i++) {
      const position = next(DATA.length + 20);
      const length = next(i % 10 === 0 ? 400 : 40);
      const expected = DATA.subarray(position, Math.min(DATA.length, position + length));
      expect((await read(cache, position, length)).equals(expected)).toBe(true);
    }
  });

  it('gives a view inside a block, and a copy of its own across blocks, both with the right bytes', async () => {
    const cache = new BlockCache(await open(), SMALL);
    const across = await cache.view(60, 10);
    expect(across.equals(DATA.subarray(60, 70))).toBe(true);
    const inside = await cache.view(200, 10);
    expect(inside.equals(DATA.subarray(200, 210))).toBe(true);
    expect((await cache.view(DATA.length - 3, 10)).equals(DATA.subarray(DATA.length - 3))).toBe(true);
  });
});

describe('BlockCache reads', () => {
  it('answers a cached range synchronously, without reading the file again', async () => {
    const cache = new BlockCache(await fileAccess(DATA), SMALL);
    await read(cache, 100, 8);
    const loads = cache.loads;
    const target = Buffer.alloc(8);
    expect(cache.read(target, 0, 104, 8)).toBe(8);
    expect(target.equals(DATA.subarray(104, 112))).toBe(true);
    expect(cache.loads).toBe(loads);
  });

  it('grows blocks along a run: a sequential walk loads far fewer blocks than grains', async () => {
    const cache = new BlockCache(await fileAccess(DATA), SMALL);
    for (let at = 0; at < DATA.length; at += 10) expect((await read(cache, at, 10)).equals(DATA.subarray(at, at + 10))).toBe(true);
    // 16-byte grains would take 63 loads; after the first two, each load is a whole 64-byte block.
    expect(cache.loads).toBeLessThanOrEqual(Math.ceil(DATA.length / SMALL.blockSize) + 2);
  });

  it('reads the next block ahead once a run reaches whole blocks, and serves it without another read', async () => {
    const cache = new BlockCache(await fileAccess(DATA), SMALL);
    await read(cache, 0, 4); // a lone read: one grain, [0, 16)
    await read(cache, 16, 4); // a run: the whole block [16, 80), and [80, 144) read ahead
    expect(cache.loads).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await read(cache, 80, 64)).equals(DATA.subarray(80, 144))).toBe(true);
    expect(cache.loads).toBe(3);
  });

  it('reports a failure in a block that was being read ahead when the caller reaches it', async () => {
    const cache = new BlockCache(failingFrom(500), SMALL);
    for (let at = 0; at < 480; at += 10) expect((await read(cache, at, 10)).equals(DATA.subarray(at, at + 10))).toBe(true);
    await expect(read(cache, 480, 40)).rejects.toThrow(/disk on fire/u);
  });

  it('warms a grain the caller will read next, once, and not one it holds or is reading', async () => {
    const cache = new BlockCache(await fileAccess(DATA), SMALL);
    const first = read(cache, 300, 4); // [288, 304) being read
    cache.warm(290); // being read already: nothing more
    cache.warm(700); // [688, 704) read in the background
    cache.warm(900); // one read ahead at a time: nothing more
    expect(cache.loads).toBe(2);
    expect((await first).equals(DATA.subarray(300, 304))).toBe(true);
    expect((await read(cache, 700, 4)).equals(DATA.subarray(700, 704))).toBe(true);
    cache.warm(702); // cached: nothing more
    cache.warm(DATA.length); // past the end: nothing
    expect(cache.loads).toBe(2);
  });

  it('keeps no more blocks than it has slots: the least recently used is read again', async () => {
    const cache = new BlockCache(await fileAccess(DATA), SMALL);
    await read(cache, 0, 4);
    await read(cache, 300, 4);
    await read(cache, 0, 4); // most recently used again: 300 is now the oldest
    await read(cache, 600, 4);
    const loads = cache.loads;
    await read(cache, 0, 4);
    expect(cache.loads).toBe(loads);
    await read(cache, 300, 4);
    expect(cache.loads).toBe(loads + 1);
  });

  it('never reads from the source for an archive in memory', async () => {
    const cache = new BlockCache(new BufferAccess(DATA), SMALL);
    expect((await read(cache, 0, DATA.length)).equals(DATA)).toBe(true);
    expect(cache.loads).toBe(0);
  });

  it('passes on a failing read and stays usable', async () => {
    const cache = new BlockCache(failingFrom(500), SMALL);
    await expect(read(cache, 600, 10)).rejects.toThrow(/disk on fire/u);
    expect((await read(cache, 100, 10)).equals(DATA.subarray(100, 110))).toBe(true);
  });
});
