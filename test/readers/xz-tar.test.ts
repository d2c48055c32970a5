import { spawn, spawnSync } from 'node:child_process';
import { Duplex, Transform } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { extract } from '../../src/index.js';
import { pythonCompress, pythonZeroBomb } from '../helpers/compress.js';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// node-liblzma is an optional native package, not installed where its prebuilt binary does not
// load. These tests stand in for it with the `xz -dc` command behind the same Transform API
// (createUnxz), so the whole .tar.xz path runs: slicing, limits, error mapping, early stops.

const state = vi.hoisted(() => ({
  options: [] as unknown[],
  writes: [] as number[],
  /** When set, the next decoder fails with it instead of decoding. */
  failWith: null as Error | null,
}));

vi.mock('node-liblzma', () => ({
  createUnxz: (options: unknown): Duplex => {
    state.options.push(options);
    if (state.failWith !== null) {
      const error = state.failWith;
      return new Transform({ transform: (_chunk, _encoding, done) => done(error) });
    }
    return xzProcess();
  },
}));

/** `xz -dc` as a Duplex: compressed bytes in, decompressed out, an error on a non-zero exit. */
function xzProcess(): Duplex {
  const child = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const duplex: Duplex = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      state.writes.push(chunk.length);
      child.stdin.write(chunk, done);
    },
    final(done) {
      child.stdin.end(done);
    },
    read() {
      child.stdout.resume();
    },
    destroy(error, done) {
      child.kill();
      done(error);
    },
  });
  child.stdin.on('error', () => undefined); // EPIPE once xz has quit on bad data: its exit code says why
  child.stdout.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) child.stdout.pause();
  });
  child.on('close', (code) => (code === 0 ? duplex.push(null) : duplex.destroy(new Error(`xz: ${stderr.trim()}`))));
  return duplex;
}

const hasXz = spawnSync('xz', ['--version']).error === undefined;
const sandbox = useSandbox();
const MiB = 1024 * 1024;
/** Bytes that do not compress (xorshift), so the .tar.xz is many 4 KiB writes long. */
function bytes(length: number): Buffer {
  let x = 0x2545f491;
  return Buffer.from(Array.from({ length }, () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x & 0xff)));
}
const tar = makeTar([
  { name: 'm/', type: '5' },
  { name: 'm/weights.bin', body: bytes(200_000) },
  { name: 'm/config.json', body: '{}' },
]);
const tree = { m: null, 'm/weights.bin': bytes(200_000), 'm/config.json': '{}' };

describe.skipIf(!hasXz)('xz (node-liblzma stood in for by xz -dc)', () => {
  it('extracts a .tar.xz byte for byte, feeding liblzma 4 KiB at a time under a 128 MiB memory limit', async () => {
    state.writes.length = 0;
    const report = await expectExtracted(sandbox(), pythonCompress(tar, 'xz'), tree);
    expect(report).toMatchObject({ format: 'tar', compression: 'xz' });
    expect(state.options.at(-1)).toEqual({ chunkSize: MiB, memlimit: 128 * MiB });
    expect(state.writes.length).toBeGreaterThan(40);
    expect(Math.max(...state.writes)).toBeLessThanOrEqual(4096);
  });

  it('refuses corrupt xz data', async () => {
    const corrupt = pythonCompress(tar, 'xz');
    for (let at = 100; at < 140; at++) corrupt[at] = corrupt[at]! ^ 0xff;
    await expectRefused(sandbox(), corrupt, { code: 'MALFORMED_ARCHIVE', message: /xz data is corrupt or truncated/u });
  });

  it('refuses a truncated xz stream', async () => {
    const archive = pythonCompress(tar, 'xz');
    await expectRefused(sandbox(), archive.subarray(0, archive.length - 40), { code: 'MALFORMED_ARCHIVE', message: /xz data is corrupt or truncated/u });
  });

  it('refuses a zip in the tail of a .tar.xz', async () => {
    const archive = Buffer.concat([pythonCompress(tar, 'xz'), makeZip([{ name: 'x', body: 'x' }])]);
    await expectRefused(sandbox(), archive, { code: 'AMBIGUOUS_FORMAT', member: null, message: /tail of this xz file/u });
  });

  it('stops a .tar.xz bomb at the total limit and at the whole-stream ratio', async () => {
    const bomb = pythonZeroBomb('xz', 1, 64 * MiB);
    await expectRefused(sandbox(), bomb, { code: 'LIMIT_EXCEEDED', member: 'zeros0', message: /total limit/u }, { limits: { maxSize: 8 * MiB } });
    await expectRefused(sandbox(), bomb, { code: 'LIMIT_EXCEEDED', member: 'zeros0', message: /archive expands more than 1000:1/u });
  });
});

describe('xz decoder errors', () => {
  it('turns liblzma running out of its memory limit (a huge dictionary) into LIMIT_EXCEEDED', async () => {
    state.failWith = Object.assign(new Error('Memory usage limit was reached'), { name: 'LZMAMemoryLimitError', errno: 6 });
    try {
      await expectRefused(sandbox(), pythonCompress(tar, 'xz'), {
        code: 'LIMIT_EXCEEDED',
        member: null,
        message: /more than 134217728 bytes of decoder memory/u,
      });
    } finally {
      state.failWith = null;
    }
  });

  it('keeps the destination untouched when the decoder fails mid-stream', async () => {
    state.failWith = Object.assign(new Error('Data is corrupt'), { name: 'LZMADataError', errno: 9 });
    try {
      await expect(extract(pythonCompress(tar, 'xz'), sandbox().dest)).rejects.toMatchObject({ code: 'ERR_ARCHIVE_REFUSED' });
      expect(sandbox().snapshot().size).toBe(2); // dest and outside, both empty
    } finally {
      state.failWith = null;
    }
  });
});
