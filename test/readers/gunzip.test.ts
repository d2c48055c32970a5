import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipInline, gunzipStream } from '../../src/readers/decompress/gunzip.js';

// gunzip's two paths: inline (zlib driven on this thread, output in a ring of four reused
// 1 MiB buffers, run ahead of the consumer) and the public stream. Both promise what the file
// readers promise: a chunk is valid until the next is pulled, and nothing more.

const MiB = 1024 * 1024;
/** Bytes from a fixed seed (xorshift32): the same archive, and the same corruption, every run. */
function seeded(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let at = 0; at < length; at += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[at] = x & 0xff;
  }
  return out;
}

/** 12 MiB that gzip squeezes a little: three times round the inline path's ring of buffers. */
const PLAIN = Buffer.concat(Array.from({ length: 12 }, (_, i) => Buffer.concat([seeded(MiB / 2, i + 1), Buffer.alloc(MiB / 2, i)])));
const GZIPPED = gzipSync(PLAIN, { level: 1 });

/** The compressed bytes in 1 MiB chunks through one reused buffer, as open-archive reads a file; counts pulls. */
function reusedChunks(bytes: Buffer, onPull: () => void = () => undefined, size = MiB): AsyncGenerator<Buffer> & { finished: () => boolean } {
  let finished = false;
  const generator = (async function* () {
    const reused = Buffer.alloc(size);
    try {
      for (let at = 0; at < bytes.length; at += size) {
        onPull();
        yield reused.subarray(0, bytes.copy(reused, 0, at, at + size));
      }
    } finally {
      finished = true;
    }
  })();
  return Object.assign(generator, { finished: () => finished });
}

/** Each chunk copied before the next is pulled, and checked against `expected` after `turns` turns of the event loop. */
async function collect(chunks: AsyncIterable<Buffer>, expected: Buffer, turns = 0): Promise<Buffer> {
  const copies: Buffer[] = [];
  let at = 0;
  for await (const chunk of chunks) {
    const copy = Buffer.from(chunk);
    for (let turn = 0; turn < turns; turn += 1) await nextTurn();
    // Still as it was handed out, whatever ran meanwhile.
    if (!chunk.equals(copy) || !copy.equals(expected.subarray(at, at + copy.length))) throw new Error(`the chunk at ${at} changed or is wrong`);
    at += copy.length;
    copies.push(copy);
  }
  return Buffer.concat(copies);
}

describe.each([
  ['inline', gunzipInline],
  ['stream', gunzipStream],
])('gunzip, %s', (_path, gunzip) => {
  it('inflates what gunzipSync does, from input in a reused buffer', async () => {
    const out = await collect(gunzip(reusedChunks(GZIPPED)), PLAIN);
    expect(out.equals(PLAIN)).toBe(true);
  });

  it('reads concatenated members, and zero bytes after the last', async () => {
    const bytes = Buffer.concat([gzipSync(PLAIN.subarray(0, 3 * MiB + 5)), gzipSync(PLAIN.subarray(3 * MiB + 5, 5 * MiB)), Buffer.alloc(10)]);
    const out = await collect(gunzip(reusedChunks(bytes)), PLAIN);
    expect(out.equals(PLAIN.subarray(0, 5 * MiB))).toBe(true);
  });

  it('reads on after the last member: zero padding is taken, anything after it fails', async () => {
    const member = gzipSync(PLAIN.subarray(0, 2 * MiB));
    const padded = Buffer.concat([member, Buffer.alloc(3 * MiB + 7)]);
    expect((await collect(gunzip(reusedChunks(padded)), PLAIN)).equals(PLAIN.subarray(0, 2 * MiB))).toBe(true);
    // What Python's gzip reads on to find, past the zeros, and zlib alone never sees.
    const hidden = Buffer.concat([padded, gzipSync('hidden')]);
    await expect(collect(gunzip(reusedChunks(hidden)), PLAIN)).rejects.toThrow('data follows the end of the gzip stream');
    const justAfter = Buffer.concat([member, Buffer.alloc(1), Buffer.from('x')]);
    await expect(collect(gunzip(reusedChunks(justAfter)), PLAIN)).rejects.toThrow('data follows the end of the gzip stream');
    // The same two bytes ending a read, zeros in the next: zlib stops inside the first read.
    const endOfRead = Buffer.concat([justAfter, Buffer.alloc(1000)]);
    const reading = collect(gunzip(reusedChunks(endOfRead, undefined, justAfter.length)), PLAIN);
    await expect(reading).rejects.toThrow('data follows the end of the gzip stream');
  });

  it('keeps a chunk intact until the next is pulled, while inflating goes on', async () => {
    const out = await collect(gunzip(reusedChunks(GZIPPED)), PLAIN, 6);
    expect(out.length).toBe(PLAIN.length);
  });

  it('hands out the chunks before corrupt data, then fails', async () => {
    // A second member whose header names no known method: zlib fails as it reaches it.
    const second = Buffer.from(gzipSync(PLAIN.subarray(6 * MiB)));
    second[2] = 9;
    const bytes = Buffer.concat([gzipSync(PLAIN.subarray(0, 6 * MiB), { level: 1 }), second]);
    let got = 0;
    const counted = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of gunzip(reusedChunks(bytes))) {
        got += chunk.length;
        yield chunk;
      }
    };
    // collect checks each chunk against PLAIN as it comes.
    await expect(collect(counted(), PLAIN)).rejects.toThrow(/unknown compression method/u);
    // The output of zlib's failing call goes with it; what came before was handed out.
    expect(got).toBeGreaterThan(4 * MiB);
    expect(got).toBeLessThanOrEqual(6 * MiB);
  });

  it('fails on data cut short', async () => {
    const reading = collect(gunzip(reusedChunks(GZIPPED.subarray(0, GZIPPED.length - 100))), PLAIN);
    await expect(reading).rejects.toThrow(/unexpected end of file/u);
  });

  it('passes on the input failing, as it failed', async () => {
    const broken = new Error('EIO while reading');
    const input = (async function* () {
      yield GZIPPED.subarray(0, MiB);
      yield GZIPPED.subarray(MiB, 2 * MiB);
      throw broken;
    })();
    const reading = collect(gunzip(input), PLAIN);
    await expect(reading).rejects.toBe(broken);
  });

  it('stops reading its input when left early', async () => {
    let pulls = 0;
    const input = reusedChunks(GZIPPED, () => (pulls += 1));
    for await (const chunk of gunzip(input)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(input.finished()).toBe(true);
    const after = pulls;
    for (let turn = 0; turn < 20; turn += 1) await nextTurn();
    expect(pulls).toBe(after);
    expect(pulls).toBeLessThan(Math.ceil(GZIPPED.length / MiB));
  });
});

describe('gunzip, inline', () => {
  it('inflates at most four buffers ahead of a consumer that waits', async () => {
    const incompressible = randomBytes(16 * MiB);
    const bytes = gzipSync(incompressible, { level: 1 });
    let pulls = 0;
    const chunks = gunzipInline(reusedChunks(bytes, () => (pulls += 1)));
    const first = await chunks.next();
    expect(first.done).toBe(false);
    for (let turn = 0; turn < 100; turn += 1) await nextTurn();
    // Four 1 MiB buffers of output, from about as much input, plus the chunk in hand.
    expect(pulls).toBeGreaterThanOrEqual(4);
    expect(pulls).toBeLessThanOrEqual(6);
    await chunks.return(undefined);
    expect(gunzipSync(bytes).equals(incompressible)).toBe(true);
  });
});
