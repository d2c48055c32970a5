import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extract } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

// Past its first 256 small files, the writer hands the rest to a worker thread in batches
// (src/write/write-batches.ts). What it writes there must be exactly what it writes itself.

let sandbox: Sandbox;
afterEach(() => sandbox.cleanup());

const MTIME = 1_600_000_000;
const files = Array.from({ length: 900 }, (_, i) => ({
  name: `layer${i % 40}/w${i}.bin`,
  body: randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 977) % 9000)),
  mode: i % 3 === 0 ? 0o755 : 0o644,
  mtime: MTIME + i,
}));

function expectWritten(dest: string, list: typeof files): void {
  for (const file of list) {
    const path = join(dest, file.name);
    expect(readFileSync(path).equals(file.body), file.name).toBe(true);
    const stat = lstatSync(path);
    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o7777, file.name).toBe(file.mode);
    expect(stat.mtimeMs, file.name).toBe(file.mtime * 1000);
  }
}

describe('many small files (the worker path)', () => {
  it.each([
    ['tar', () => makeTar(files.map((file) => ({ ...file })))],
    // Zip times are DOS times (2 s steps, local time): compared by content and mode here.
    [
      'zip',
      () =>
        makeZip(
          files.map(({ name, body, mode }, i) => ({ name, body, method: i % 2 === 0 ? ('deflate' as const) : ('stored' as const), unixMode: 0o100000 | mode })),
        ),
    ],
  ])('a %s: every file byte for byte, with its mode (and, from a tar, its mtime)', async (format, build) => {
    sandbox = makeSandbox();
    const report = await extract(build(), sandbox.dest);
    expect(report.written.files).toBe(files.length);
    if (format === 'tar') expectWritten(sandbox.dest, files);
    for (const file of files) {
      expect(readFileSync(join(sandbox.dest, file.name)).equals(file.body), file.name).toBe(true);
      expect(lstatSync(join(sandbox.dest, file.name)).mode & 0o7777, file.name).toBe(file.mode);
    }
  });

  it('a large file after many small ones in its folder: the folder is made before it is written', async () => {
    sandbox = makeSandbox();
    const big = { name: 'layer3/big.bin', body: randomBytes(3 * 1024 * 1024 + 11), mode: 0o644, mtime: MTIME };
    const medium = { name: 'layer39/medium.bin', body: randomBytes(600 * 1024), mode: 0o644, mtime: MTIME };
    const list = [
      ...files.slice(0, 300),
      { name: 'late/', type: '5' },
      { name: 'late/x.txt', body: Buffer.from('x'), mode: 0o644, mtime: MTIME },
      big,
      medium,
      ...files.slice(300),
    ];
    await extract(makeTar(list), sandbox.dest);
    expectWritten(sandbox.dest, [...files, big, medium, { name: 'late/x.txt', body: Buffer.from('x'), mode: 0o644, mtime: MTIME }]);
  });
});
