import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pythonCompress, zstdFrame } from '../helpers/compress.js';
import { expectExtracted, useSandbox } from '../helpers/expect-extract.js';
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
