import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeZip } from '../helpers/make-zip.js';

// Zip Slip (Snyk, 2018) and the advisories that followed it in Node's zip libraries:
// adm-zip (CVE-2018-1002204), extract-zip (symlink escapes), decompress (CVE-2020-12265).
// Each shape is refused, and nothing appears in the destination or beside it.

const sandbox = useSandbox();
const payload = 'pwned\n';
const SYMLINK_MODE = 0o120777;

describe('adm-zip CVE-2018-1002204 and extract-zip: names that climb out', () => {
  it.each(['../outside/moo', '../../../../../../../../tmp/moo', 'good/../../outside/moo'])('refuses %j', async (name) => {
    await expectRefused(
      sandbox(),
      makeZip([
        { name: 'ok.txt', body: 'ok' },
        { name, body: payload },
      ]),
      { code: 'PARENT_TRAVERSAL', member: name },
    );
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('refuses `..\\` climbing out on Windows', async () => {
    const name = '..\\outside\\moo';
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'PARENT_TRAVERSAL', member: name, codes: ['PARENT_TRAVERSAL', 'BACKSLASH'] });
  });

  it('refuses `foo/..\\bar`, where only Windows sees the `..`', async () => {
    const name = 'foo/..\\bar';
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'PARENT_TRAVERSAL', member: name, codes: ['PARENT_TRAVERSAL', 'BACKSLASH'] });
  });

  it('refuses an absolute name aimed at the victim folder', async () => {
    const name = join(sandbox().outside, 'moo');
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(name)).toBe(false);
  });

  it('refuses a traversal in a deflated member of a ZIP64 archive', async () => {
    const archive = makeZip([{ name: '../outside/moo', body: payload.repeat(100), method: 'deflate', zip64: true }], { zip64End: true });
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: '../outside/moo' });
  });

  it('refuses a traversal hidden in the Info-ZIP Unicode Path field', async () => {
    // unzip and yauzl would use the 0x7075 name; Python and Go the header name.
    const archive = makeZip([{ name: 'moo', unicodePath: '../outside/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'moo' });
  });
});

describe('zip S_IFLNK entries (extract-zip, decompress CVE-2020-12265)', () => {
  it('refuses a symlink entry pointing out', async () => {
    const archive = makeZip([{ name: 'lnk', unixMode: SYMLINK_MODE, body: '../outside' }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'lnk' });
    expect(existsSync(join(sandbox().dest, 'lnk'))).toBe(false);
  });

  it('refuses a symlink entry then a file written through it (decompress)', async () => {
    const archive = makeZip([
      { name: 'lnk', unixMode: SYMLINK_MODE, body: sandbox().outside },
      { name: 'lnk/moo', unixMode: 0o100644, body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'lnk' });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('refuses a symlink entry whose target is harmless', async () => {
    const archive = makeZip([
      { name: 'real.txt', unixMode: 0o100644, body: 'x' },
      { name: 'alias.txt', unixMode: SYMLINK_MODE, body: 'real.txt' },
    ]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'alias.txt' });
  });

  it('refuses a symlink entry with a deflated target', async () => {
    const archive = makeZip([{ name: 'lnk', unixMode: SYMLINK_MODE, body: '/etc/passwd', method: 'deflate' }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'lnk' });
  });

  it('refuses a symlink entry named like a folder', async () => {
    const archive = makeZip([{ name: 'lnk/', unixMode: SYMLINK_MODE, body: '..' }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'lnk/' });
  });
});

describe('other unix file types in zips', () => {
  it.each([
    ['fifo', 0o010644],
    ['char device', 0o020644],
    ['block device', 0o060644],
    ['socket', 0o140644],
    ['unknown type bits', 0o170644],
    ['a folder mode on a name without `/`', 0o040755],
  ])('refuses a %s', async (_label, unixMode) => {
    await expectRefused(sandbox(), makeZip([{ name: 'dev', unixMode, body: '' }]), { code: 'SPECIAL_FILE', member: 'dev' });
  });
});
