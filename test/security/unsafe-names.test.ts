import { describe, it } from 'vitest';
import type { FindingCode } from '../../src/index.js';
import { expectExtracted, expectRefused, useSandbox, type Tree } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// Design §7 "Names": every name in the conformance row, in a tar and in a zip, with every
// code it must raise (a name can break several rules; all are pinned). Shapes from Go's
// filepath.IsLocal tests, CPython's test_tarfile and libarchive's test_write_disk_secure*.

const sandbox = useSandbox();

/** Tar headers carry names of up to 100 bytes without NUL; anything else goes in a PAX path, as real writers do. */
function tarMember(name: string | Buffer, body = 'x'): TarMember {
  const bytes = typeof name === 'string' ? Buffer.from(name) : name;
  const fits = bytes.length > 0 && bytes.length <= 100 && !bytes.includes(0);
  return fits ? { name: bytes, body, type: '0' } : { name: 'placeholder', pax: { path: bytes }, body, type: '0' };
}

const component256 = 'c'.repeat(256);
const deep = `${'a/'.repeat(4000)}f`;

const refused: [label: string, name: string, codes: FindingCode[]][] = [
  ['/tmp/moo', '/tmp/moo', ['ABSOLUTE_PATH']],
  ['//tmp/moo', '//tmp/moo', ['ABSOLUTE_PATH']],
  ['../moo', '../moo', ['PARENT_TRAVERSAL']],
  ['tmp/../../moo', 'tmp/../../moo', ['PARENT_TRAVERSAL']],
  ['foo/../bar', 'foo/../bar', ['PARENT_TRAVERSAL']],
  ['foo/bar/..', 'foo/bar/..', ['PARENT_TRAVERSAL']],
  ['..', '..', ['PARENT_TRAVERSAL']],
  ['.', '.', ['UNSAFE_NAME']],
  ['..\\foo', '..\\foo', ['PARENT_TRAVERSAL', 'BACKSLASH']],
  ['foo/..\\bar', 'foo/..\\bar', ['PARENT_TRAVERSAL', 'BACKSLASH']],
  ['C:foo', 'C:foo', ['DRIVE_PATH']],
  ['C:/foo', 'C:/foo', ['DRIVE_PATH']],
  ['C:\\foo', 'C:\\foo', ['DRIVE_PATH', 'BACKSLASH']],
  ['a/C:x', 'a/C:x', ['DRIVE_PATH']],
  ['//host/share/x', '//host/share/x', ['ABSOLUTE_PATH']],
  ['\\\\?\\C:\\x', '\\\\?\\C:\\x', ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME']],
  ['\\??\\C:\\x', '\\??\\C:\\x', ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME']],
  // A one-letter component before `:` is a drive-relative path on Windows (`a:b` is b on drive A:).
  ['a:b', 'a:b', ['DRIVE_PATH']],
  ['file:stream', 'file:stream', ['UNSAFE_NAME']],
  ['x::$DATA', 'x::$DATA', ['DRIVE_PATH']],
  ['stream::$DATA', 'stream::$DATA', ['UNSAFE_NAME']],
  ['NUL', 'NUL', ['UNSAFE_NAME']],
  ['nul.txt', 'nul.txt', ['UNSAFE_NAME']],
  ['nul (trailing space)', 'nul ', ['UNSAFE_NAME']],
  ['a/aux/b', 'a/aux/b', ['UNSAFE_NAME']],
  ['COM1', 'COM1', ['UNSAFE_NAME']],
  ['com\u00b9', 'com\u00b9', ['UNSAFE_NAME']],
  ['CONIN$', 'CONIN$', ['UNSAFE_NAME']],
  ['foo.', 'foo.', ['UNSAFE_NAME']],
  ['foo (trailing space)', 'foo ', ['UNSAFE_NAME']],
  ['GIT~1', 'GIT~1', ['UNSAFE_NAME']],
  ['foo.txt\\0qqq', 'foo.txt\0qqq', ['UNSAFE_NAME']],
  ['a\\nb', 'a\nb', ['UNSAFE_NAME']],
  ['a\\x1b[31m', 'a\x1b[31m', ['UNSAFE_NAME']],
  ['a\\x7f (DEL)', 'a\x7f', ['UNSAFE_NAME']],
  ['a\\u0085 (C1 control)', 'a\u0085', ['UNSAFE_NAME']],
  ['evil\\u202Etxt.exe', 'evil\u202Etxt.exe', ['UNSAFE_NAME']],
  ['zero\\u200Bwidth', 'zero\u200Bwidth', ['UNSAFE_NAME']],
  ['a<b>c|d?e*f"g', 'a<b>c|d?e*f"g', ['UNSAFE_NAME']],
  ['~/x', '~/x', ['HOME_EXPANSION']],
  ['~root/x', '~root/x', ['HOME_EXPANSION']],
  ['~', '~', ['HOME_EXPANSION']],
  ['$HOME/x', '$HOME/x', ['ENV_EXPANSION']],
  ['${HOME}/x', '${HOME}/x', ['ENV_EXPANSION']],
  ['$(id)/x', '$(id)/x', ['ENV_EXPANSION']],
  ['a/$HOME', 'a/$HOME', ['ENV_EXPANSION']],
  ['%APPDATA%\\x', '%APPDATA%\\x', ['ENV_EXPANSION', 'BACKSLASH']],
  ['a 256-byte component', component256, ['UNSAFE_NAME']],
  ['depth 4000', deep, ['LIMIT_EXCEEDED']],
  ['depth 65', `${'a/'.repeat(64)}f`, ['LIMIT_EXCEEDED']],
];

describe('design §7 names, refused', () => {
  it.each(refused)('tar: %s', async (_label, name, codes) => {
    await expectRefused(sandbox(), makeTar([{ name: 'ok.txt', body: 'ok' }, tarMember(name)]), { code: codes[0]!, member: name, codes });
  });

  it.each(refused)('zip: %s', async (_label, name, codes) => {
    await expectRefused(
      sandbox(),
      makeZip([
        { name: 'ok.txt', body: 'ok' },
        { name, body: 'x' },
      ]),
      { code: codes[0]!, member: name, codes },
    );
  });

  it('tar: an empty name', async () => {
    await expectRefused(sandbox(), makeTar([{ name: '', body: 'x', type: '0' }]), { code: 'UNSAFE_NAME', member: '' });
  });

  it('zip: an empty name', async () => {
    await expectRefused(sandbox(), makeZip([{ name: '', body: 'x' }]), { code: 'UNSAFE_NAME', member: '' });
  });

  it('tar: a name that is not valid UTF-8', async () => {
    const name = Buffer.from([0x66, 0xff, 0x6f]);
    await expectRefused(sandbox(), makeTar([{ name, body: 'x' }]), { code: 'UNSAFE_NAME', member: 'f\ufffdo' });
  });

  it('zip: a name flagged UTF-8 that is not', async () => {
    const name = Buffer.from([0x66, 0xc3, 0x28]);
    await expectRefused(sandbox(), makeZip([{ name, utf8Flag: true, body: 'x' }]), { code: 'UNSAFE_NAME', member: 'f\ufffd(' });
  });

  it('zip: a file (unix mode S_IFREG) named `.`, the root', async () => {
    await expectRefused(sandbox(), makeZip([{ name: '.', unixMode: 0o100644, body: 'x' }]), { code: 'UNSAFE_NAME', member: '.' });
  });
});

describe('design §7 names, accepted', () => {
  const accepted: Tree = {
    dollar$: '1',
    'Outer$Inner.class': '2',
    'notes~': '3',
    a: null,
    'a/b..c.txt': '4',
    x: '5',
    '.metadata': '6',
    [`${'c'.repeat(254)}`]: '7',
    '\u00fcn\u00efc\u00f8d\u00e9': null,
    '\u00fcn\u00efc\u00f8d\u00e9/\u540d\u524d.txt': '8',
  };
  const members: [string, string][] = [
    ['dollar$', '1'],
    ['Outer$Inner.class', '2'],
    ['notes~', '3'],
    ['a/b..c.txt', '4'],
    ['./x', '5'],
    ['.metadata', '6'],
    ['c'.repeat(254), '7'],
    ['\u00fcn\u00efc\u00f8d\u00e9/\u540d\u524d.txt', '8'],
  ];

  it('tar', async () => {
    await expectExtracted(sandbox(), makeTar(members.map(([name, body]) => tarMember(name, body))), accepted);
  });

  it('zip', async () => {
    await expectExtracted(sandbox(), makeZip(members.map(([name, body]) => ({ name, body }))), accepted);
  });

  it('depth 64, the limit', async () => {
    const name = `${'a/'.repeat(63)}f`;
    const tree: Record<string, string | null> = {};
    for (let depth = 1; depth < 64; depth++) tree['a/'.repeat(depth).slice(0, -1)] = null;
    tree[name] = 'x';
    await expectExtracted(sandbox(), makeTar([tarMember(name)]), tree);
  });
});
