import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';

// Design §7 "Links and types": devices, FIFOs and types no reader agrees on are refused
// (SPECIAL_FILE); a device node in a model is never legitimate, and a FIFO blocks the reader
// that opens it. Type `7` (contiguous) is a regular file everywhere that matters.

const sandbox = useSandbox();

describe('tar member types', () => {
  it.each([
    ['FIFO', '6', {}],
    ['character device (/dev/null-like)', '3', { devmajor: 1, devminor: 3 }],
    ['block device (/dev/sda-like)', '4', { devmajor: 8, devminor: 0 }],
    ['unknown type flag `Z`', 'Z', {}],
    ['unknown type flag `9`', '9', {}],
    ['GNU multivolume continuation `M`', 'M', {}],
    ['GNU dump directory `D`', 'D', {}],
    ['GNU volume header `V`', 'V', {}],
    ['Solaris ACL `A`', 'A', {}],
  ])('refuses a %s', async (_label, type, fields) => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'ok', body: 'ok' },
        { name: 'dev', type, ...fields },
      ]),
      { code: 'SPECIAL_FILE', member: 'dev' },
    );
    expect(existsSync(join(sandbox().dest, 'dev'))).toBe(false);
  });

  it('refuses an old GNU sparse file (`S`), whose bytes GNU tar would expand differently', async () => {
    await expectRefused(sandbox(), makeTar([{ name: 'sparse.bin', type: 'S', body: 'x'.repeat(10), magic: 'gnu' }]), {
      code: 'SPECIAL_FILE',
      member: 'sparse.bin',
    });
  });

  it('refuses a PAX sparse file (GNU.sparse.* records)', async () => {
    const archive = makeTar([
      { name: 'sparse.bin', body: 'x'.repeat(10), pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '100000' } },
    ]);
    await expectRefused(sandbox(), archive, { code: 'SPECIAL_FILE', member: 'sparse.bin' });
  });

  it('refuses an unknown type that carries data as a special file (every reader skips its data)', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'odd', type: 'Z', body: 'x'.repeat(700) },
        { name: 'after', body: 'a' },
      ]),
      { code: 'SPECIAL_FILE', member: 'odd' },
    );
  });

  it('refuses a FIFO that carries data as corrupt (Python would read the data as the next header)', async () => {
    await expectRefused(sandbox(), makeTar([{ name: 'fifo', type: '6', body: 'x'.repeat(700) }]), {
      code: 'MALFORMED_ARCHIVE',
      member: 'fifo',
      message: /has 700 bytes of data/u,
    });
  });

  it('refuses a device whose name is also hostile, reporting both', async () => {
    await expectRefused(sandbox(), makeTar([{ name: '../dev', type: '3' }]), {
      code: 'SPECIAL_FILE',
      member: '../dev',
      codes: ['SPECIAL_FILE', 'PARENT_TRAVERSAL'],
    });
  });

  it('accepts type `7` (contiguous file) as a regular file, byte for byte', async () => {
    await expectExtracted(sandbox(), makeTar([{ name: 'c.bin', type: '7', body: 'contiguous' }]), { 'c.bin': 'contiguous' });
  });

  it('accepts an old-style (v7) regular file with a NUL type flag', async () => {
    await expectExtracted(sandbox(), makeTar([{ name: 'old.txt', type: '\0', body: 'v7', magic: 'v7' }]), { 'old.txt': 'v7' });
  });

  it('accepts a v7 folder written as a regular file whose name ends in `/`', async () => {
    await expectExtracted(
      sandbox(),
      makeTar([
        { name: 'dir/', type: '0', magic: 'v7' },
        { name: 'dir/f', body: 'f', magic: 'v7' },
      ]),
      { dir: null, 'dir/f': 'f' },
    );
  });
});
