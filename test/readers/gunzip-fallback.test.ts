import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, vi } from 'vitest';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';

// On a Node where zlib's handle is missing or fails the self-test, gunzip takes the public
// stream. Here the inline path is made unavailable (and would throw if used anyway), so whole
// extractions run through the fallback, reading from disk in reused buffers.
vi.mock('../../src/readers/decompress/inline-gunzip.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/readers/decompress/inline-gunzip.js')>()),
  inlineGunzipWorks: () => false,
  InlineGunzip: {
    create: () => {
      throw new Error('the inline path was used where the stream was to be');
    },
  },
}));

const sandbox = useSandbox();
const MiB = 1024 * 1024;
const big = randomBytes(3 * MiB + 11);
const tar = makeTar([
  { name: 'a.bin', body: big },
  { name: 'b.txt', body: 'b' },
]);

function onDisk(bytes: Buffer): string {
  const path = join(sandbox().root, 'archive.tar.gz');
  writeFileSync(path, bytes);
  return path;
}

describe('gunzip through the public stream (the fallback)', () => {
  it('extracts a multi-MiB tar.gz, zero padding after it included', async () => {
    await expectExtracted(sandbox(), onDisk(Buffer.concat([gzipSync(tar, { level: 1 }), Buffer.alloc(2 * MiB)])), { 'a.bin': big, 'b.txt': 'b' });
  });

  it('refuses a member hidden after zero padding', async () => {
    const hidden = Buffer.concat([gzipSync(tar, { level: 1 }), Buffer.alloc(2 * MiB), gzipSync(makeTar([{ name: 'x.sh', body: 'x' }]))]);
    await expectRefused(sandbox(), onDisk(hidden), { code: 'MALFORMED_ARCHIVE', member: null, message: /data follows the end of the gzip stream/u });
  });

  it('refuses gzip data cut short', async () => {
    const whole = gzipSync(tar, { level: 1 });
    await expectRefused(sandbox(), onDisk(whole.subarray(0, whole.length - 5)), { code: 'MALFORMED_ARCHIVE', message: /gzip data is corrupt or truncated/u });
  });
});
