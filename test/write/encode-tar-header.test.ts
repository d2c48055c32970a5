import { Header } from 'tar/header';
import { describe, expect, it } from 'vitest';
import { encodeTarHeader, ustarFallback } from '../../src/write/encode-tar-header.js';
import { checkName } from '../../src/vet/check-name.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';

const file = { type: 'file', mode: 0o644, size: 5, mtime: 1_700_000_000 } as const;

function blocks(buffer: Buffer): Buffer[] {
  return Array.from({ length: buffer.length / 512 }, (_, i) => buffer.subarray(i * 512, (i + 1) * 512));
}

describe('encodeTarHeader', () => {
  it('writes a plain ustar header, with a valid checksum, for a short ASCII name', () => {
    const [block, ...rest] = blocks(encodeTarHeader({ ...file, name: './model_config.yaml' }));
    expect(rest).toEqual([]);
    const header = new Header(block);
    expect(header).toMatchObject({ cksumValid: true, path: './model_config.yaml', mode: 0o644, uid: 0, gid: 0, size: 5, uname: '', gname: '', linkpath: '' });
    expect(header.type).toBe('File');
    expect(block!.toString('latin1', 257, 265)).toBe('ustar\u000000');
  });

  it('puts a non-ASCII or long name in a PAX header, and an ASCII stand-in in the name field', () => {
    const name = `./${'layer/'.repeat(20)}名前.bin`;
    const [pax, body, ustar] = blocks(encodeTarHeader({ ...file, name }));
    expect(new Header(pax)).toMatchObject({ cksumValid: true, path: 'PaxHeaders/__.bin' });
    expect(String.fromCharCode(pax![156]!)).toBe('x');
    const record = `path=${name}\n`;
    const length = Buffer.byteLength(record) + 4;
    expect(body!.toString('utf8', 0, length)).toBe(`${length} ${record}`);
    expect(new Header(ustar)).toMatchObject({ cksumValid: true, size: 5 });
    expect(ustar!.toString('latin1', 0, 100).replace(/\0+$/u, '')).toBe(ustarFallback(name));
  });

  it('writes sizes of 8 GiB and more in base-256 and in PAX, and an mtime out of range in PAX', () => {
    const size = 9 * 1024 ** 3;
    const [pax, body, ustar] = blocks(encodeTarHeader({ ...file, name: 'weights.bin', size, mtime: -1 }));
    expect(new Header(pax).cksumValid).toBe(true);
    expect(body!.toString('latin1').replace(/\0+$/u, '')).toBe(`19 size=${size}\n12 mtime=-1\n`);
    expect(new Header(ustar)).toMatchObject({ cksumValid: true, size, path: 'weights.bin' });
    expect(ustar![124]).toBe(0x80);
  });

  it('writes folders as type 5 with no data', () => {
    const header = new Header(encodeTarHeader({ name: './', type: 'directory', mode: 0o755, size: 0, mtime: 0 }));
    expect(header).toMatchObject({ cksumValid: true, path: './', mode: 0o755, size: 0 });
    expect(header.type).toBe('Directory');
  });
});

describe('ustarFallback: what a reader without PAX sees is a safe name', () => {
  it.each([
    ['ünïcødé/名前.txt', '_n_c_d_/__.txt'],
    [`${'a'.repeat(60)}/${'b'.repeat(60)}`, 'b'.repeat(60)],
    [`${'a'.repeat(60)}/..${'b'.repeat(60)}`, `..${'b'.repeat(60)}`],
    [`x/${'c'.repeat(200)}`, 'c'.repeat(99)],
    [`${'d'.repeat(150)}/`, `${'d'.repeat(99)}`],
    [`${'e'.repeat(98)}//f`, 'f'],
    [`${'g'.repeat(40)}/${'h'.repeat(40)}/${'i'.repeat(40)}`, `${'h'.repeat(40)}/${'i'.repeat(40)}`],
  ])('%s -> %s', (name, fallback) => {
    expect(ustarFallback(name)).toBe(fallback);
    expect(Buffer.byteLength(fallback)).toBeLessThanOrEqual(100);
    expect(checkName(fallback, true, DEFAULT_LIMITS).map((found) => found.code)).toEqual([]);
  });
});
