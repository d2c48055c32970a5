import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// Design §7 "Collisions": names that one filesystem (APFS, NTFS, ext4 with casefold) or one
// reader would store as one path, so a later member silently replaces or lands inside an
// earlier one. The finding names the later member; nothing is written.

const sandbox = useSandbox();

describe('design §7 collisions, in a tar', () => {
  it('`README` then `readme`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'README', body: '1' },
        { name: 'readme', body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: 'readme' },
    );
  });

  it('NFC `café` then NFD `café`', async () => {
    const nfd = 'cafe\u0301';
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'caf\u00e9', body: '1' },
        { name: nfd, body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: nfd },
    );
  });

  it('`straße` then `strasse` (full case folding)', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'stra\u00dfe', body: '1' },
        { name: 'strasse', body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: 'strasse' },
    );
  });

  it('the same name twice', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a.bin', body: '1' },
        { name: 'a.bin', body: '2' },
      ]),
      { code: 'DUPLICATE_ENTRY', member: 'a.bin' },
    );
  });

  it('the same name twice, spelled `a.bin` and `./a.bin`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a.bin', body: '1' },
        { name: './a.bin', body: '2' },
      ]),
      { code: 'DUPLICATE_ENTRY', member: './a.bin' },
    );
  });

  it('file `a` then `a/b`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a', body: '1' },
        { name: 'a/b', body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: 'a/b' },
    );
  });

  it('folder `a/` then file `a`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a/', type: '5' },
        { name: 'a', body: '1' },
      ]),
      { code: 'NAME_COLLISION', member: 'a' },
    );
  });

  it('file `a` then folder `a/`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a', body: '1' },
        { name: 'a/', type: '5' },
      ]),
      { code: 'NAME_COLLISION', member: 'a/' },
    );
  });

  it('`a/b` (making folder `a`) then file `a`', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a/b', body: '1' },
        { name: 'a', body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: 'a' },
    );
  });

  it('`Dir/x` then `dir/y` (one folder under two spellings)', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'Dir/x', body: '1' },
        { name: 'dir/y', body: '2' },
      ]),
      { code: 'NAME_COLLISION', member: 'dir/y' },
    );
  });

  it('`a` then `a\\u200b` (an ignorable code point)', async () => {
    const name = 'a\u200b';
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a', body: '1' },
        { name, body: '2' },
      ]),
      { code: 'UNSAFE_NAME', member: name },
    );
  });
});

describe('design §7 collisions, in a zip', () => {
  it.each([
    ['README', 'readme', 'NAME_COLLISION'],
    ['caf\u00e9', 'cafe\u0301', 'NAME_COLLISION'],
    ['stra\u00dfe', 'STRASSE', 'NAME_COLLISION'],
    ['a.bin', 'a.bin', 'DUPLICATE_ENTRY'],
    ['a', 'a/b', 'NAME_COLLISION'],
    ['a/', 'a', 'NAME_COLLISION'],
  ] as const)('%j then %j', async (first, second, code) => {
    const archive = makeZip([
      { name: first, body: first.endsWith('/') ? '' : '1' },
      { name: second, body: '2' },
    ]);
    await expectRefused(sandbox(), archive, { code, member: second });
    expect(existsSync(join(sandbox().dest, first))).toBe(false);
  });
});

describe('not collisions', () => {
  it('a folder entry, then files in it, then the same folder again is refused as a duplicate, not merged', async () => {
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'a/', type: '5' },
        { name: 'a/x', body: 'x' },
        { name: 'a/', type: '5' },
      ]),
      { code: 'DUPLICATE_ENTRY', member: 'a/' },
    );
  });

  it('files in a folder before the folder\u2019s own entry are fine', async () => {
    await expectExtracted(
      sandbox(),
      makeTar([
        { name: 'a/x', body: 'x' },
        { name: 'a/', type: '5' },
      ]),
      { a: null, 'a/x': 'x' },
    );
  });

  it('names that differ by more than case stay apart', async () => {
    await expectExtracted(
      sandbox(),
      makeTar([
        { name: 'model.bin', body: '1' },
        { name: 'model.bin.1', body: '2' },
        { name: 'Model2.bin', body: '3' },
      ]),
      {
        'model.bin': '1',
        'model.bin.1': '2',
        'Model2.bin': '3',
      },
    );
    expect(readFileSync(join(sandbox().dest, 'model.bin'), 'utf8')).toBe('1');
  });
});
