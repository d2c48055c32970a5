import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, clean, extract, scan } from '../../src/index.js';
import { pythonCompress, pythonZeroBomb, zstdBlock, zstdFrame, zstdHeader, zstdZeroBomb } from '../helpers/compress.js';
import { expectExtracted, expectRefused, sha256, useSandbox } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { FIXTURES } from '../helpers/run-cli.js';

// .tar.bz2, .tar.zst (and .tar.xz, see xz-tar.test.ts) go through the same streaming walk as
// .tar.gz: real bytes counted against the limits, the ratio judged on compressed bytes read,
// corrupt or truncated streams refused, and a zip in the file's tail refused as ambiguous.

const sandbox = useSandbox();
const MiB = 1024 * 1024;
const bytes = (length: number, seed = 1): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 131 + seed * 17) % 256));

const members: TarMember[] = [
  { name: 'bundle/', type: '5' },
  { name: 'bundle/config.json', body: '{"dim": 4}' },
  { name: 'bundle/weights.bin', body: bytes(300_000) },
  { name: 'bundle/empty', body: '' },
];
const tree = { bundle: null, 'bundle/config.json': '{"dim": 4}', 'bundle/weights.bin': bytes(300_000), 'bundle/empty': '' };
const tar = makeTar(members);

describe('bzip2', () => {
  const archive = pythonCompress(tar, 'bz2');

  it('extracts a .tar.bz2 byte for byte, reporting compression bzip2', async () => {
    const report = await expectExtracted(sandbox(), archive, tree);
    expect(report).toMatchObject({ format: 'tar', compression: 'bzip2', model: null, bytes: 300_010 });
  });

  it('reads concatenated bzip2 streams, as pbzip2 and lbzip2 write them', async () => {
    const split = 100 * 1024;
    const streams = Buffer.concat([pythonCompress(tar.subarray(0, split), 'bz2'), pythonCompress(tar.subarray(split), 'bz2')]);
    await expectExtracted(sandbox(), streams, tree);
  });

  it('refuses a corrupt block (its CRC or its Huffman codes)', async () => {
    const corrupt = Buffer.from(archive);
    for (let at = 200; at < 260; at++) corrupt[at] = corrupt[at]! ^ 0x5a;
    await expectRefused(sandbox(), corrupt, { code: 'MALFORMED_ARCHIVE', message: /bzip2 data is corrupt/u });
  });

  it('refuses a truncated stream', async () => {
    await expectRefused(sandbox(), archive.subarray(0, archive.length - 30), { code: 'MALFORMED_ARCHIVE', message: /bzip2 data is truncated/u });
  });

  it('refuses bytes after the stream that are not another bzip2 stream', async () => {
    await expectRefused(sandbox(), Buffer.concat([archive, Buffer.from('trailing junk')]), { code: 'MALFORMED_ARCHIVE', message: /not another bzip2 stream/u });
  });
});

describe('zstd', () => {
  it('extracts a .tar.zst of raw and RLE blocks byte for byte, reporting compression zstd', async () => {
    const report = await expectExtracted(sandbox(), zstdFrame([tar]), tree);
    expect(report).toMatchObject({ format: 'tar', compression: 'zstd', model: null, bytes: 300_010 });
    const runs = makeTar([{ name: 'runs.bin', body: Buffer.alloc(200_000, 0x41) }]);
    // The header raw, the body as RLE blocks, the padding and end blocks raw.
    const archive = zstdFrame([runs.subarray(0, 512), { repeat: 200_000, byte: 0x41 }, runs.subarray(512 + 200_000)]);
    expect((await extract(archive, join(sandbox().root, 'runs'))).verdict).toBe('accepted');
    expect(readFileSync(join(sandbox().root, 'runs', 'runs.bin')).equals(Buffer.alloc(200_000, 0x41))).toBe(true);
  });

  it('reads several frames, skipping skippable frames between them', async () => {
    const skippable = Buffer.concat([Buffer.from([0x5a, 0x2a, 0x4d, 0x18]), Buffer.from([5, 0, 0, 0]), Buffer.from('hello')]);
    const archive = Buffer.concat([zstdFrame([tar.subarray(0, 1000)]), skippable, zstdFrame([tar.subarray(1000)], { checksum: true })]);
    await expectExtracted(sandbox(), archive, tree);
  });

  it('extracts real encoder output (zstd -19: compressed blocks, Huffman and FSE tables, a checksum)', async () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<string, { files: Record<string, string> }>;
    const report = await extract(join(FIXTURES, 'bundle.tar.zst'), sandbox().dest);
    expect(report).toMatchObject({ compression: 'zstd', verdict: 'accepted' });
    const files = manifest['bundle.tar.zst']!.files;
    expect(Object.keys(files)).toHaveLength(3);
    for (const [path, hash] of Object.entries(files)) expect(sha256(readFileSync(join(sandbox().dest, path))), path).toBe(hash);
  });

  it('refuses a corrupt compressed block', async () => {
    const real = readFileSync(join(FIXTURES, 'bundle.tar.zst'));
    const corrupt = Buffer.from(real);
    for (let at = 40; at < real.length - 40; at += 7) corrupt[at] = corrupt[at]! ^ 0xff;
    await expectRefused(sandbox(), corrupt, { code: 'MALFORMED_ARCHIVE', message: /zstd data is corrupt|tar|truncated/u });
  });

  it('refuses a truncated frame', async () => {
    const archive = zstdFrame([tar]);
    await expectRefused(sandbox(), archive.subarray(0, archive.length - 100), { code: 'MALFORMED_ARCHIVE', message: /zstd data is truncated/u });
  });

  it('refuses bytes after the last frame that are not a frame', async () => {
    await expectRefused(sandbox(), Buffer.concat([zstdFrame([tar]), Buffer.from('junk')]), { code: 'MALFORMED_ARCHIVE', message: /not a zstd frame/u });
  });

  it('refuses a block of the reserved type, and a block over the frame block size', async () => {
    const reserved = Buffer.concat([zstdHeader(17), Buffer.of(0x07, 0, 0)]);
    await expectRefused(sandbox(), reserved, { code: 'MALFORMED_ARCHIVE', message: /reserved block type/u });
    const oversized = Buffer.concat([zstdHeader(12), zstdBlock('rle', Buffer.of(0), 8192)]);
    await expectRefused(sandbox(), oversized, { code: 'MALFORMED_ARCHIVE', message: /over its frame's block size of 4096/u });
  });

  it('refuses a frame that needs a dictionary', async () => {
    const withDictionary = Buffer.concat([zstdHeader(17, 0x01), Buffer.of(7), zstdBlock('raw', tar.subarray(0, 1024))]);
    await expectRefused(sandbox(), withDictionary, { code: 'MALFORMED_ARCHIVE', message: /dictionary/u });
  });

  it('refuses a window over 128 MiB (what zstd -d allows by default) before allocating it', async () => {
    const huge = Buffer.concat([zstdHeader(31), zstdBlock('raw', tar.subarray(0, 1024))]);
    await expectRefused(sandbox(), huge, { code: 'LIMIT_EXCEEDED', message: /window, over the 128 MiB/u });
    const single = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])]); // single segment, 8-byte content size 2^32
    await expectRefused(sandbox(), single, { code: 'LIMIT_EXCEEDED', message: /window/u });
  });

  it('refuses a crafted block whose sequences would loop for minutes (fzstd trusts their lengths)', async () => {
    // One compressed block of 9 bytes: no literals, 98303 sequences in RLE modes, each a match
    // of 65539+ bytes read past the end of a 1-byte bitstream. fzstd alone spends minutes on it.
    const block = Buffer.of(0x00, 0xff, 0xff, 0xff, 0x54, 0x00, 0x00, 0x34, 0x01);
    const frame = Buffer.concat([zstdHeader(10), Buffer.of((block.length << 3) | (2 << 1) | 1, 0, 0), block]);
    const started = Date.now();
    await expectRefused(sandbox(), frame, { code: 'MALFORMED_ARCHIVE', message: /took over 5000 ms to decode/u, scan: false });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses many tiny blocks in a 128 MiB window (each makes fzstd copy its whole window)', async () => {
    const blocks = Array.from({ length: 40 }, (_, i) => zstdBlock('raw', Buffer.of(i)));
    const frame = Buffer.concat([zstdHeader(27), ...blocks]);
    await expectRefused(sandbox(), frame, { code: 'LIMIT_EXCEEDED', message: /many small blocks in a large window/u, scan: false });
  });
});

describe.each([
  ['bzip2', (data: Buffer): Buffer => pythonCompress(data, 'bz2')],
  ['zstd', (data: Buffer): Buffer => zstdFrame([data])],
] as const)('%s: what every compressed tar shares', (compression, compress) => {
  it('refuses a zip in the file tail, which unzip, Python and Go would extract instead', async () => {
    const archive = Buffer.concat([compress(tar), makeZip([{ name: 'evil.sh', body: '#!/bin/sh\n' }])]);
    await expectRefused(sandbox(), archive, {
      code: 'AMBIGUOUS_FORMAT',
      member: null,
      message: new RegExp(`zip end record lies in the tail of this ${compression} file`, 'u'),
    });
  });

  it('stops a bomb at the total limit: the member claims more than maxSize', async () => {
    const bomb = compression === 'zstd' ? zstdZeroBomb(1, 64 * MiB) : pythonZeroBomb('bz2', 1, 64 * MiB);
    expect(bomb.length).toBeLessThan(20_000);
    await expectRefused(
      sandbox(),
      bomb,
      { code: 'LIMIT_EXCEEDED', member: 'zeros0', message: /over the total limit|claim more than the total limit/u },
      { limits: { maxSize: 8 * MiB } },
    );
  });

  it('stops a bomb of many members at maxSize as they add up (ratio limit lifted), having read no more than the limit', async () => {
    const bomb = compression === 'zstd' ? zstdZeroBomb(40, MiB) : pythonZeroBomb('bz2', 40, MiB);
    let seen = 0;
    const error = await extract(bomb, sandbox().dest, { limits: { maxSize: 10 * MiB, maxRatio: 1e9 }, onProgress: ({ bytes: read }) => (seen = read) }).catch(
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    const report = (error as ArchiveError<{ findings: { code: string; action: string }[] }>).report!;
    expect(report.findings.filter((finding) => finding.action === 'refused').map((finding) => finding.code)).toEqual(['LIMIT_EXCEEDED']);
    expect(seen).toBe(10 * MiB);
    expect(existsSync(join(sandbox().dest, 'zeros0'))).toBe(false);
  });

  it('stops a bomb at the whole-stream ratio, judged on the compressed bytes read', async () => {
    const bomb = compression === 'zstd' ? zstdZeroBomb(1, 256 * MiB) : pythonZeroBomb('bz2', 1, 256 * MiB);
    await expectRefused(sandbox(), bomb, { code: 'LIMIT_EXCEEDED', member: 'zeros0', message: /archive expands more than 1000:1/u });
  });

  it('decompresses a 512 MiB bomb in bounded memory when the limits allow it', () => {
    const bomb = compression === 'zstd' ? zstdZeroBomb(1, 512 * MiB) : pythonZeroBomb('bz2', 1, 512 * MiB);
    const script = `
      import { scan } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const chunks = []; for await (const chunk of process.stdin) chunks.push(chunk);
      let peak = 0; const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
      const report = await scan(Buffer.concat(chunks), { limits: { maxRatio: 1e9 } });
      clearInterval(timer); peak = Math.max(peak, process.memoryUsage().rss);
      console.log(JSON.stringify({ verdict: report.verdict, bytes: report.bytes, peak }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: bomb, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const { verdict, bytes: read, peak } = JSON.parse(result.stdout) as { verdict: string; bytes: number; peak: number };
    expect({ verdict, read }).toEqual({ verdict: 'accepted', read: 512 * MiB });
    expect(peak / MiB).toBeLessThan(200);
  });
});

describe('what cannot be read here', () => {
  it('refuses to clean a .tar.bz2 or .tar.zst (no encoder to write the copy in the same format), leaving no file', async () => {
    for (const archive of [pythonCompress(tar, 'bz2'), zstdFrame([tar])]) {
      const output = join(sandbox().root, 'out.tar');
      await expect(clean(archive, output)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT', message: /cannot write a (bzip2|zstd)-compressed copy/u });
      expect(existsSync(output)).toBe(false);
    }
  });

  it('reads .tar.xz with node-liblzma when it loads, and refuses it with ERR_UNSUPPORTED_FORMAT saying so when not', async () => {
    const archive = pythonCompress(tar, 'xz');
    const loadable = await import('node-liblzma').then(
      () => true,
      () => false,
    );
    if (loadable) {
      await expectExtracted(sandbox(), archive, tree);
    } else {
      await expect(scan(archive)).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED_FORMAT',
        message: /need the optional package node-liblzma, which could not be loaded/u,
      });
      expect(existsSync(join(sandbox().dest, 'bundle'))).toBe(false);
    }
  });
});
