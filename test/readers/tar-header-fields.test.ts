import fc from 'fast-check';
import { Header } from 'tar/header';
import { describe, expect, it } from 'vitest';
import { decodeHeaderFields } from '../../src/readers/tar-header-fields.js';
import { tarChecksum, tarHeader } from '../helpers/make-tar.js';

/** What node-tar's Header makes of the block (the reference), in decodeHeaderFields' terms; or that it throws (the walk refuses the header). */
function nodeTar(block: Buffer): { checksumValid: boolean; mode: number | null; mtime: number | null } | string {
  try {
    const header = new Header(block);
    return { checksumValid: header.cksumValid, mode: header.mode ?? null, mtime: header.mtime?.getTime() ?? null };
  } catch {
    return 'throws';
  }
}

function ours(block: Buffer): { checksumValid: boolean; mode: number | null; mtime: number | null } | string {
  try {
    const fields = decodeHeaderFields(block);
    return { checksumValid: fields.checksumValid, mode: fields.mode, mtime: fields.mtime?.getTime() ?? null };
  } catch {
    return 'throws';
  }
}

/** A valid header with `bytes` written over one numeric field, the checksum then made to match (or not). */
function withField(offset: number, bytes: Buffer, fixChecksum: boolean): Buffer {
  const block = tarHeader({ name: 'a.txt', body: 'x' });
  bytes.copy(block, offset);
  if (fixChecksum) {
    block.fill(0x20, 148, 156);
    block.write(`${tarChecksum(block).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  }
  return block;
}

/** Field contents that octal parsers disagree on, and GNU base-256 in both signs. */
const ODD_FIELDS = [
  '0000644\0',
  '    644 ',
  '644',
  '  0  ',
  '        ',
  '\0\0\0\0\0\0\0\0',
  '12 34\0\0\0',
  '0o777\0\0',
  '+777\0\0\0',
  '-777\0\0\0',
  '778\0\0\0\0',
  '8\0\0\0\0\0\0\0',
  '\t644\n\0\0',
  '\u00a0644\0',
  '\u00e9644\0',
  '0x1f\0\0\0',
  '77777777777\0',
  '7777777777777777',
].map((text) => Buffer.from(text, 'latin1'));
const BASE256 = [
  Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
  Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
  Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  Buffer.from([0xc0, 1, 2, 3, 4, 5, 6, 7]),
];

describe("decodeHeaderFields reads a block as node-tar's Header does", () => {
  it.each([
    ['mode', 100, 8],
    ['mtime', 136, 12],
    ['checksum', 148, 12],
  ])('%s field: odd octal text and base-256, with the checksum right and wrong', (_field, offset, size) => {
    for (const bytes of [...ODD_FIELDS, ...BASE256]) {
      for (const fix of [true, false]) {
        const block = withField(offset, bytes.subarray(0, size), fix && offset !== 148);
        expect(ours(block), `${JSON.stringify(bytes.toString('latin1'))} fix=${fix}`).toEqual(nodeTar(block));
      }
    }
  });

  it('agrees on real headers', () => {
    for (const member of [
      { name: 'a.txt', body: 'x' },
      { name: 'dir/', type: '5' },
      { name: 'big', size: 8 * 1024 ** 3 + 5, body: '' },
      { name: 'old', mtime: 0 },
      { name: 'exec', mode: 0o4755 },
    ]) {
      const block = tarHeader(member);
      expect(ours(block)).toEqual(nodeTar(block));
      expect(ours(block)).toMatchObject({ checksumValid: true });
    }
  });

  it('agrees on random blocks and on valid headers with random numeric fields', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 512, maxLength: 512 }), (bytes) => {
        const block = Buffer.from(bytes);
        expect(ours(block)).toEqual(nodeTar(block));
      }),
      { numRuns: 3000 },
    );
    const field = fc.array(fc.constantFrom(0x00, 0x20, 0x30, 0x31, 0x37, 0x38, 0x2b, 0x2d, 0x09, 0x80, 0xff, 0xa0, 0xc3), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.constantFrom(100, 136, 148), field, fc.boolean(), (offset, bytes, fix) => {
        const block = withField(offset, Buffer.from(bytes.slice(0, offset === 100 ? 8 : 12)), fix && offset !== 148);
        expect(ours(block)).toEqual(nodeTar(block));
      }),
      { numRuns: 5000 },
    );
  });
});
