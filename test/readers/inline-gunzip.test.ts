import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InlineGunzip, inlineGunzipWorks, isKnownNode } from '../../src/readers/decompress/inline-gunzip.js';
import { fuzzSettings } from '../helpers/fuzz-settings.js';

// InlineGunzip drives zlib's native handle as Node's own gunzipSync does, one input chunk at a
// time, into output room the caller chooses. gunzipSync over the whole input is the reference.

type Outcome = { readonly output: Buffer } | { readonly error: string };

function newInflater(): InlineGunzip {
  const inflater = InlineGunzip.create();
  if (inflater === null) throw new Error('InlineGunzip.create() found no zlib handle on this Node');
  return inflater;
}

/**
 * `compressed` through an InlineGunzip: fed in pieces of `inputSizes` (cycled) through one
 * reused buffer that is overwritten once each piece is used up, inflated into `room` bytes at
 * a time.
 */
function inflateInPieces(compressed: Buffer, inputSizes: readonly number[], room: number): Outcome {
  const inflater = newInflater();
  const reused = Buffer.alloc(Math.max(1, ...inputSizes));
  const output = Buffer.alloc(room);
  const out: Buffer[] = [];
  const drain = (): void => {
    for (let made = inflater.inflate(output, 0, room); made > 0; made = inflater.inflate(output, 0, room)) {
      if (made > room) throw new Error(`made ${made} bytes in room for ${room}`);
      out.push(Buffer.from(output.subarray(0, made)));
    }
  };
  try {
    for (let at = 0, turn = 0; at < compressed.length; turn += 1) {
      const taken = compressed.copy(reused, 0, at, at + inputSizes[turn % inputSizes.length]!);
      at += taken;
      inflater.feed(reused.subarray(0, taken));
      drain();
      if (!inflater.needsInput && !inflater.ended) throw new Error('drained, yet neither wanting input nor ended');
      reused.fill(0xee); // used up: overwriting it must change nothing
    }
    inflater.end();
    drain();
    if (!inflater.ended) throw new Error('not ended after end() and a drain');
    return { output: Buffer.concat(out) };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    inflater.close();
  }
}

/** Outcomes compared with Buffer.equals: a deep equality walks a large buffer byte by byte. */
function expectSame(got: Outcome, expected: Outcome): void {
  if ('output' in got && 'output' in expected) expect(got.output.equals(expected.output), 'same bytes').toBe(true);
  else expect(got).toEqual(expected);
}

function reference(compressed: Buffer): Outcome {
  try {
    return { output: gunzipSync(compressed) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Data gzip compresses a lot, a little, or not at all. */
const content = fc.oneof(
  fc.uint8Array({ maxLength: 40_000 }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3000 })).map(([text, times]) => new TextEncoder().encode(text.repeat(times))),
  fc.integer({ min: 0, max: 300_000 }).map((length) => new Uint8Array(length)),
);
const gzipData = fc
  .array(fc.tuple(content, fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 3 })
  .map((members) => Buffer.concat(members.map(([data, level]) => gzipSync(data, { level }))));
const inputSizes = fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 });
const room = fc.integer({ min: 1, max: 200_000 });

describe('InlineGunzip', () => {
  it('runs on this Node (else gunzip falls back to the slower stream)', () => {
    expect(inlineGunzipWorks()).toBe(true);
  });

  it('is tried only on the Node majors whose zlib.js calls the handle this way', () => {
    expect(isKnownNode('node', { node: '20.20.2' })).toBe(true);
    expect(isKnownNode('node', { node: '24.1.0' })).toBe(true);
    expect(isKnownNode('node', { node: '18.20.0' })).toBe(false);
    expect(isKnownNode('node', { node: '25.0.0' })).toBe(false);
    expect(isKnownNode('node', { node: 'v20' })).toBe(false);
    expect(isKnownNode('node', { node: '22.0.0', bun: '1.2.0' })).toBe(false);
    expect(isKnownNode('node', { node: '22.0.0', deno: '2.0.0' })).toBe(false);
    expect(isKnownNode('io.js', { node: '22.0.0' })).toBe(false);
  });

  const valid = fuzzSettings(150, { msPerCase: 40 });
  it(
    'inflates what gunzipSync does, however the input and the output room are cut',
    () => {
      fc.assert(
        fc.property(gzipData, inputSizes, room, fc.integer({ min: 0, max: 100 }), (compressed, sizes, space, zeros) => {
          const padded = Buffer.concat([compressed, Buffer.alloc(zeros)]);
          const got = inflateInPieces(padded, sizes, space);
          expectSame(got, reference(compressed));
        }),
        valid.parameters,
      );
    },
    valid.timeout,
  );

  const damaged = fuzzSettings(300, { msPerCase: 20 });
  it(
    'fails where gunzipSync fails on damaged data, and is stricter only about bytes after the end',
    () => {
      const damage = fc.oneof(
        fc.record({ flip: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ cut: fc.nat() }),
        fc.record({ append: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
      );
      fc.assert(
        fc.property(gzipData, inputSizes, room, damage, (compressed, sizes, space, how) => {
          let bytes = Buffer.from(compressed);
          if ('flip' in how) bytes[how.flip % bytes.length] = bytes[how.flip % bytes.length]! ^ how.bits;
          else if ('cut' in how) bytes = bytes.subarray(0, how.cut % bytes.length);
          else bytes = Buffer.concat([bytes, how.append]);
          const got = inflateInPieces(bytes, sizes, space);
          const expected = reference(bytes);
          if ('output' in got) expectSame(got, expected);
          else if ('output' in expected) {
            // gunzipSync stops at a member followed by a zero byte and ignores the rest.
            expect(got.error).toBe('data follows the end of the gzip stream');
            const { engine } = gunzipSync(bytes, { info: true }) as unknown as { engine: { bytesWritten: number } };
            const rest = bytes.subarray(engine.bytesWritten);
            expect(rest[0]).toBe(0);
            expect(rest.some((byte) => byte !== 0)).toBe(true);
          }
        }),
        damaged.parameters,
      );
    },
    damaged.timeout,
  );

  it('never makes more than the room it is given, even from a bomb', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(100 * 1024);
    const inflater = newInflater();
    try {
      inflater.feed(bomb);
      const room = Buffer.alloc(64 * 1024);
      expect(inflater.inflate(room, 0, room.length)).toBe(room.length);
      expect(inflater.inflate(room, 1000, 24)).toBe(24);
      expect(inflater.needsInput).toBe(false);
      expect(() => inflater.feed(bomb)).toThrow(/fed before the last input was used up/u);
    } finally {
      inflater.close();
    }
  });

  it('throws on truncated data, and on anything but zero bytes after the end', () => {
    const whole = gzipSync('the whole member');
    expect(inflateInPieces(whole.subarray(0, whole.length - 3), [5], 100)).toEqual({ error: 'unexpected end of file' });
    expect(inflateInPieces(Buffer.concat([whole, Buffer.from('garbage')]), [whole.length], 100)).toEqual({ error: 'incorrect header check' });
    // One byte other than zero: the start of a next member, cut short.
    expect(inflateInPieces(Buffer.concat([whole, Buffer.from('x')]), [whole.length], 100)).toEqual({ error: 'unexpected end of file' });
    // A zero byte first: gunzipSync stops there and takes the member; this refuses.
    const zeroThenData = Buffer.concat([whole, Buffer.alloc(3), Buffer.from('x')]);
    expect(reference(zeroThenData)).toEqual({ output: Buffer.from('the whole member') });
    for (const sizes of [[1], [whole.length + 3], [whole.length, 3, 1], [zeroThenData.length]]) {
      expect(inflateInPieces(zeroThenData, sizes, 100)).toEqual({ error: 'data follows the end of the gzip stream' });
    }
  });

  it('refuses output bounds outside the buffer instead of letting the binding abort the process', () => {
    const inflater = newInflater();
    try {
      inflater.feed(gzipSync('x'));
      const output = Buffer.alloc(16);
      expect(() => inflater.inflate(output, 10, 7)).toThrow(RangeError);
      expect(() => inflater.inflate(output, -1, 4)).toThrow(RangeError);
      expect(() => inflater.inflate(output, 0.5, 4)).toThrow(RangeError);
      expect(inflater.inflate(output, 15, 1)).toBe(1);
      expect(output[15]).toBe('x'.charCodeAt(0));
    } finally {
      inflater.close();
    }
    expect(() => inflater.inflate(Buffer.alloc(4), 0, 4)).toThrow(/closed/u);
  });
});
