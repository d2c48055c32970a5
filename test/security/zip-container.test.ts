import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeZip, type ZipMember } from '../helpers/make-zip.js';
import { missingTool, pythonZipNames } from '../helpers/real-extractors.js';

// Zips that different readers read differently, or that lie about their bytes. Each is
// MALFORMED_ARCHIVE (or LIMIT_EXCEEDED), a container finding: it refuses under every policy.

const sandbox = useSandbox();
const body = 'model bytes\n';
const LOCAL_HEADER = 30;

describe('one zip, two sets of names', () => {
  it('refuses a local header name that differs from the central directory name', async () => {
    const archive = makeZip([{ name: 'weights.bin', localName: '../outside/moo', body }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'weights.bin', message: /local header name differs/u });
  });

  it('refuses a local name differing only in case (streaming readers would write another file)', async () => {
    const archive = makeZip([{ name: 'a.txt', localName: 'A.txt', body }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'a.txt', message: /local header name differs/u });
  });

  it('refuses an Info-ZIP Unicode Path (0x7075) naming another file than the header', async () => {
    const archive = makeZip([{ name: 'weights.bin', unicodePath: 'other.bin', body }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'weights.bin', message: /Unicode Path field names "other.bin"/u });
  });

  it('accepts a Unicode Path field that agrees with a cp437 header name', async () => {
    // Old Windows zippers: cp437 bytes in the header, the same name in UTF-8 in 0x7075.
    const archive = makeZip([{ name: Buffer.from([0x63, 0x61, 0x66, 0x82]), utf8Flag: false, unicodePath: 'caf\u00e9', body }]);
    await expectExtracted(sandbox(), archive, { 'caf\u00e9': body });
  });
});

describe('telling a zip from a tar', () => {
  it('reads a zip whose first block holds bytes no tar number can start with', async () => {
    // Non-ASCII names put bytes 0x81-0xFE where a tar header has numbers: still just a zip.
    const name = `${'\u00e9'.repeat(100)}.txt`;
    await expectExtracted(sandbox(), makeZip([{ name, body: 'x'.repeat(600) }]), { [name]: 'x'.repeat(600) });
  });
});

describe('overlapping and repeated entries', () => {
  it('refuses two central entries sharing one local header (Fifield full overlap)', async () => {
    const kernel = 'A'.repeat(1000);
    const archive = makeZip([
      { name: 'kernel', body: kernel, method: 'deflate' },
      { name: 'copy1', body: kernel, method: 'deflate', localHeaderOf: 0 },
      { name: 'copy2', body: kernel, method: 'deflate', localHeaderOf: 0 },
    ]);
    // The second entry's central name is not the name in the local header it points at.
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'copy1', message: /local header name differs/u });
  });

  it('refuses a member whose data runs over the next local header (Fifield quoted overlap)', async () => {
    // Member `a` claims enough stored bytes to swallow `b`'s local header and data.
    const second: ZipMember = { name: 'b', body };
    const secondRecord = makeZip([second]).subarray(0, LOCAL_HEADER + 1 + body.length);
    const swallowed = Buffer.concat([Buffer.from(body), secondRecord]);
    const first: ZipMember = { name: 'a', body, compressedSize: swallowed.length, uncompressedSize: swallowed.length, crc: crc32(swallowed) };
    const archive = makeZip([first, second]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'b', message: /^member overlaps a$/u });
  });

  it('refuses the same central entry listed twice', async () => {
    const archive = makeZip(
      [
        { name: 'a.bin', body },
        { name: 'b.bin', body },
      ],
      { duplicateCentral: [0] },
    );
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'a.bin', message: /overlaps a.bin/u });
  });

  it('refuses a member whose data overlaps the central directory', async () => {
    const archive = makeZip([{ name: 'a.bin', body, compressedSize: body.length + 20, uncompressedSize: body.length + 20 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'a.bin', message: /overlaps the central directory/u });
  });

  it('refuses two members with the same name and their own bytes', async () => {
    const archive = makeZip([
      { name: 'a.bin', body: 'first' },
      { name: 'a.bin', body: 'second' },
    ]);
    await expectRefused(sandbox(), archive, { code: 'DUPLICATE_ENTRY', member: 'a.bin' });
  });

  it('shows the ambiguity is real: Python zipfile lists the central names', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const archive = makeZip([{ name: 'weights.bin', localName: '../outside/moo', body }]);
    // Python trusts the central directory; a streaming reader (unzip -, stream-unzip) trusts the local one.
    expect(pythonZipNames(archive)).toEqual(['weights.bin']);
  });
});

describe('members slipguard cannot read faithfully', () => {
  it('refuses an encrypted member', async () => {
    await expectRefused(sandbox(), makeZip([{ name: 'secret.bin', body, encrypted: true }]), {
      code: 'MALFORMED_ARCHIVE',
      member: 'secret.bin',
      message: /encrypted/u,
    });
  });

  it.each([
    ['bzip2', 12],
    ['LZMA', 14],
    ['zstd', 93],
    ['AES (WinZip)', 99],
  ])('refuses an unsupported method: %s', async (_label, method) => {
    await expectRefused(sandbox(), makeZip([{ name: 'w.bin', body, method }]), {
      code: 'MALFORMED_ARCHIVE',
      member: 'w.bin',
      message: new RegExp(`unsupported compression method ${method}`, 'u'),
    });
  });

  it('refuses a CRC-32 mismatch, writing nothing', async () => {
    const archive = makeZip([
      { name: 'ok.bin', body: 'fine' },
      { name: 'w.bin', body, crc: (crc32(body) ^ 1) >>> 0 },
    ]);
    // scan reads headers only; the CRC is checked as bytes are extracted.
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', message: /CRC-32 mismatch/u, scan: false });
  });

  it('refuses a CRC-32 mismatch in a deflated member', async () => {
    const archive = makeZip([{ name: 'w.bin', body: body.repeat(50), method: 'deflate', crc: 0x12345678 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', message: /CRC-32 mismatch/u, scan: false });
  });

  it('refuses a stored member whose declared sizes run into the next member', async () => {
    // Both sizes agree with each other, not with the data: the next local header is swallowed.
    const archive = makeZip([
      { name: 'w.bin', body, uncompressedSize: body.length + 7, compressedSize: body.length + 7 },
      { name: 'next.bin', body: 'x'.repeat(64) },
    ]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'next.bin', message: /overlaps w.bin/u });
  });

  it('refuses a stored member whose compressed and uncompressed sizes disagree', async () => {
    const archive = makeZip([{ name: 'w.bin', body, uncompressedSize: body.length - 2 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', message: /declares 12 stored and 10 real bytes/u });
  });

  it('refuses an encrypted stored member by name, as encrypted', async () => {
    const archive = makeZip([{ name: 'secret.bin', body: Buffer.alloc(12 + 5), encrypted: true, uncompressedSize: 5 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'secret.bin', message: /encrypted/u });
  });

  it('refuses a deflated member that inflates to fewer bytes than declared', async () => {
    const archive = makeZip([{ name: 'w.bin', body, method: 'deflate', uncompressedSize: body.length + 1 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', message: /member has 12 bytes, its header says 13/u, scan: false });
  });

  it('refuses corrupt deflate data', async () => {
    const archive = makeZip([{ name: 'w.bin', body: Buffer.from([0xff, 0xff, 0xff, 0xff]), method: 8, uncompressedSize: 100 }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', message: /deflate data is corrupt/u, scan: false });
  });

  it('refuses a truncated zip (no end of central directory)', async () => {
    const whole = makeZip([
      { name: 'a.bin', body: body.repeat(20) },
      { name: 'b.bin', body },
    ]);
    await expectRefused(sandbox(), whole.subarray(0, whole.length - 30), { code: 'MALFORMED_ARCHIVE', member: null, message: /not a readable zip/u });
  });

  it('refuses a zip cut inside member data, with the end record kept', async () => {
    const whole = makeZip([{ name: 'a.bin', body: body.repeat(20) }]);
    const central = whole.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const cut = Buffer.concat([whole.subarray(0, central - 40), whole.subarray(central)]);
    await expectRefused(sandbox(), cut, { code: 'MALFORMED_ARCHIVE', member: null, message: /not a readable zip/u });
  });
});

describe('bombs', () => {
  const KiB = 1024;
  const limits = { maxFileSize: 64 * KiB };
  const zeros = Buffer.alloc(1024 * KiB);

  it('the bomb is small: about 1 KiB of deflate', () => {
    expect(deflateRawSync(zeros).length).toBeLessThan(1100);
  });

  it('refuses a 1 KiB deflate entry that declares and inflates past limits.maxFileSize', async () => {
    const archive = makeZip([{ name: 'bomb.bin', body: zeros, method: 'deflate' }]);
    await expectRefused(sandbox(), archive, { code: 'LIMIT_EXCEEDED', member: 'bomb.bin', message: /over the per-file limit of 65536/u }, { limits });
  });

  it('refuses the same bomb when its header claims a small size (bytes are counted, not trusted)', async () => {
    const archive = makeZip([{ name: 'bomb.bin', body: zeros, method: 'deflate', uncompressedSize: 1000 }]);
    await expectRefused(
      sandbox(),
      archive,
      { code: 'MALFORMED_ARCHIVE', member: 'bomb.bin', message: /inflates past its declared 1000 bytes/u, scan: false },
      { limits },
    );
  });

  it('refuses a bomb whose header says exactly the limit but inflates past it', async () => {
    const archive = makeZip([{ name: 'bomb.bin', body: zeros, method: 'deflate', uncompressedSize: limits.maxFileSize }]);
    await expectRefused(
      sandbox(),
      archive,
      { code: 'MALFORMED_ARCHIVE', member: 'bomb.bin', message: /inflates past its declared 65536 bytes/u, scan: false },
      { limits },
    );
  });

  it('refuses by ratio with default limits: 64 MiB of zeros in a 64 KiB member', async () => {
    const big = Buffer.alloc(64 * 1024 * KiB);
    const archive = makeZip([{ name: 'bomb.bin', body: big, method: 'deflate' }]);
    await expectRefused(sandbox(), archive, { code: 'LIMIT_EXCEEDED', member: 'bomb.bin', message: /expands more than 1000:1/u, scan: false });
  });

  it('accepts a member exactly at the per-file limit', async () => {
    const exact = Buffer.alloc(limits.maxFileSize, 1);
    await expectExtracted(sandbox(), makeZip([{ name: 'w.bin', body: exact, method: 'deflate' }]), { 'w.bin': exact }, { limits });
  });
});
