import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { FileAccess } from '../../src/readers/random-access.js';
import { pythonCompress, zstdFrame } from '../helpers/compress.js';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';

// A compressed tar on disk is read in 1 MiB chunks into two reused buffers (open-archive's
// fileChunks), the next read in flight while the decoder works. gzip's zlib is done with a
// chunk when its write is called back; bzip2, zstd and xz keep input queued and get copies.
// Random members make the compressed file several MiB, so both buffers are reused many times:
// a decoder handed a buffer that was overwritten under it would fail its CRC or differ below.

const sandbox = useSandbox();
const MiB = 1024 * 1024;
const first = randomBytes(3 * MiB + 17);
const second = randomBytes(2 * MiB + 5);
const tar = makeTar([
  { name: 'a.bin', body: first },
  { name: 'b.txt', body: 'between' },
  { name: 'c.bin', body: second },
]);
const tree = { 'a.bin': first, 'b.txt': 'between', 'c.bin': second };

describe.each([
  ['gzip', () => gzipSync(tar, { level: 1 })],
  ['bzip2', () => pythonCompress(tar, 'bz2')],
  ['zstd', () => zstdFrame([tar])],
])('a %s tar of several MiB, read from disk', (compression, compress) => {
  it('is extracted byte for byte through the reused input buffers', async () => {
    const archive = compress();
    expect(archive.length).toBeGreaterThan(4 * MiB);
    const path = join(sandbox().root, 'archive');
    writeFileSync(path, archive);
    const report = await expectExtracted(sandbox(), path, tree);
    expect(report.compression).toBe(compression);
  });
});

describe('a multi-MiB tar.gz read from disk, stopped early', () => {
  afterEach(() => vi.restoreAllMocks());
  const onDisk = (members: Parameters<typeof makeTar>[0]): string => {
    const path = join(sandbox().root, 'archive.tar.gz');
    writeFileSync(path, gzipSync(makeTar(members), { level: 1 }));
    return path;
  };

  it('refuses a hostile member after megabytes of data, writing nothing', async () => {
    const path = onDisk([
      { name: 'a.bin', body: first },
      { name: '../escape.txt', body: 'x' },
      { name: 'c.bin', body: second },
    ]);
    await expectRefused(sandbox(), path, { code: 'PARENT_TRAVERSAL', member: '../escape.txt' });
  });

  it('refuses a hostile first member without reading the rest of the file', async () => {
    const path = onDisk([
      { name: '../escape.txt', body: 'x' },
      { name: 'big.bin', body: randomBytes(32 * MiB) },
    ]);
    const reads = vi.spyOn(FileAccess.prototype, 'readInto');
    // extract alone (expectRefused also scans, which reads every member by design).
    await expectRefused(sandbox(), path, { code: 'PARENT_TRAVERSAL', member: '../escape.txt', scan: false });
    // Inflating runs ahead of the walk by up to 8 MiB of output, plus a chunk in zlib and one
    // read in flight: far from the whole 32 MiB.
    const bytesRead = reads.mock.calls.reduce((sum, call) => sum + call[2], 0);
    expect(bytesRead).toBeLessThan(16 * MiB);
  });

  it('turns a read that fails midway into ERR_SOURCE_UNREADABLE, writing nothing', async () => {
    const path = onDisk([
      { name: 'a.bin', body: first },
      { name: 'c.bin', body: second },
    ]);
    const original = Object.getOwnPropertyDescriptor(FileAccess.prototype, 'readInto')!.value as FileAccess['readInto'];
    let calls = 0;
    vi.spyOn(FileAccess.prototype, 'readInto').mockImplementation(function (this: FileAccess, ...args) {
      calls += 1;
      // The first reads are format detection; fail once the stream is well under way.
      if (calls === 5) return Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      return original.apply(this, args);
    });
    const before = sandbox().snapshot();
    const error: unknown = await extract(path, sandbox().dest).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe('ERR_SOURCE_UNREADABLE');
    expect((error as ArchiveError).message).toContain('EIO');
    expect(sandbox().snapshot()).toEqual(before);
  });
});
