import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileByteSource, StreamByteSource, type ByteSource } from '../../src/readers/byte-source.js';
import { BufferAccess } from '../../src/readers/random-access.js';
import { useTempFileAccess } from '../helpers/temp-file-access.js';

const MiB = 1024 * 1024;
/** Bytes spanning several 1 MiB windows, with a tail that is not a whole window. */
const DATA = randomBytes(3 * MiB + 12_345);

const fileAccess = useTempFileAccess();

/** Every chunk copied before the next is asked for: what a consumer that honours the contract sees. */
async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const copies: Buffer[] = [];
  for await (const chunk of chunks) copies.push(Buffer.from(chunk));
  return Buffer.concat(copies);
}

const kinds: [string, () => Promise<ByteSource>][] = [
  ['a file', async () => new FileByteSource(await fileAccess(DATA))],
  ['a buffer', async () => new FileByteSource(new BufferAccess(DATA))],
  [
    'a stream',
    async () =>
      new StreamByteSource(
        (async function* () {
          for (let at = 0; at < DATA.length; at += 70_001) yield DATA.subarray(at, at + 70_001);
        })(),
      ),
  ],
  [
    // gunzip's output and the file readers' chunks: one buffer, overwritten when the next is pulled.
    'a stream in one reused buffer',
    async () =>
      new StreamByteSource(
        (async function* () {
          const reused = Buffer.alloc(70_001);
          for (let at = 0; at < DATA.length; at += 70_001) yield reused.subarray(0, DATA.copy(reused, 0, at, at + 70_001));
        })(),
      ),
  ],
];

describe.each(kinds)('ByteSource over %s', (_kind, make) => {
  it('reads headers that straddle window and chunk boundaries', async () => {
    const source = await make();
    await source.skip(MiB - 100);
    const header = await source.read(512);
    expect(header.equals(DATA.subarray(MiB - 100, MiB + 412))).toBe(true);
    const long = await source.read(2 * MiB);
    expect(long.equals(DATA.subarray(MiB + 412, 3 * MiB + 412))).toBe(true);
    expect(source.position).toBe(MiB - 100 + 512 + 2 * MiB);
  });

  it('streams small and large bodies exactly, whatever the offset', async () => {
    const source = await make();
    const small = await collect(source.chunks(4000));
    expect(small.equals(DATA.subarray(0, 4000))).toBe(true);
    await source.skip(1);
    const large = await collect(source.chunks(2 * MiB + 777));
    expect(large.equals(DATA.subarray(4001, 4001 + 2 * MiB + 777))).toBe(true);
    const rest = await collect(source.chunks(DATA.length));
    expect(rest.equals(DATA.subarray(4001 + 2 * MiB + 777))).toBe(true);
    expect(source.position).toBe(DATA.length);
    expect((await source.read(512)).length).toBe(0);
  });

  it('counts only what was handed out when a large body is abandoned midway', async () => {
    const source = await make();
    let taken = 0;
    for await (const chunk of source.chunks(3 * MiB)) {
      taken += chunk.length;
      if (taken >= MiB) break;
    }
    expect(source.position).toBe(taken);
    // The next read continues right there, undisturbed by the read that was ahead.
    const next = await source.read(1000);
    expect(next.equals(DATA.subarray(taken, taken + 1000))).toBe(true);
  });

  it('reads without waiting only what it holds whole, and moves only when it returns bytes', async () => {
    const source = await make();
    // A stream holds nothing before the first awaited read; a file's window is filled by one.
    expect(source.readNow(512)).toBeNull();
    expect(source.position).toBe(0);
    await source.read(100);
    const now = source.readNow(1000);
    expect(now?.equals(DATA.subarray(100, 1100))).toBe(true);
    expect(source.position).toBe(1100);
    expect(source.readNow(0)).toBeNull();
    // More than is held (the window is 1 MiB; the stream's chunks 70,001 bytes): null, no move.
    expect(source.readNow(2 * MiB)).toBeNull();
    expect(source.position).toBe(1100);
    expect(source.skipNow(400)).toBe(400);
    expect((await source.read(10)).equals(DATA.subarray(1500, 1510))).toBe(true);
  });

  it('never reads short without waiting at the end of the data', async () => {
    const source = await make();
    await source.skip(DATA.length - 300);
    await source.read(100);
    expect(source.readNow(512)).toBeNull();
    expect(source.position).toBe(DATA.length - 200);
    expect((await source.read(512)).length).toBe(200);
  });

  it('stops at the end: fewer bytes than asked, never more', async () => {
    const source = await make();
    expect(await source.skip(DATA.length - 10)).toBe(DATA.length - 10);
    expect((await collect(source.chunks(MiB))).equals(DATA.subarray(DATA.length - 10))).toBe(true);
    expect(await source.skip(5)).toBe(0);
  });
});

describe('FileByteSource buffers', () => {
  it('reuses its buffers for a large body: a chunk is valid only until the next is asked for', async () => {
    const big = randomBytes(13 * MiB + 5);
    const source = new FileByteSource(await fileAccess(big));
    const kept: Buffer[] = [];
    for await (const chunk of source.chunks(big.length)) kept.push(chunk);
    // Holding on to chunks (what consumers must not do) shows the reuse: memory stays at two buffers.
    expect(kept.length).toBeGreaterThan(3);
    expect(new Set(kept.map((chunk) => chunk.buffer)).size).toBeLessThanOrEqual(3);
    expect(Buffer.concat(kept).equals(big)).toBe(false);
  });

  it('serves many small reads from one window read', async () => {
    const opened = await fileAccess(DATA);
    let reads = 0;
    const original = opened.handle.read.bind(opened.handle);
    opened.handle.read = (...args: Parameters<typeof original>) => {
      reads += 1;
      return original(...args);
    };
    const source = new FileByteSource(opened);
    for (let i = 0; i < 1000; i++) {
      const header = await source.read(512);
      expect(header.equals(DATA.subarray(i * 1024, i * 1024 + 512))).toBe(true);
      await collect(source.chunks(512));
    }
    expect(reads).toBe(1);
  });
});
