import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extract, scan, type ExtractReport } from '../../src/index.js';
import { expectRefused, expectTree, useSandbox } from '../helpers/expect-extract.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// policy 'skip' (design §4): members with name, type, collision or destination findings are
// dropped and reported as 'skipped'; everything else is written byte for byte. Container
// findings (MALFORMED_ARCHIVE, AMBIGUOUS_FORMAT, LIMIT_EXCEEDED) still refuse the archive.

const sandbox = useSandbox();
const payload = 'pwned\n';
const weights = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) % 256));

function skipped(report: ExtractReport): { code: string; member: string | null }[] {
  return report.findings.filter((finding) => finding.action === 'skipped').map(({ code, member }) => ({ code, member }));
}

describe('skip drops hostile members and writes the rest', () => {
  it('drops traversal, absolute, link and device members from a tar', async () => {
    const absolute = join(sandbox().outside, 'abs');
    const archive = makeTar([
      { name: 'model_config.yaml', body: 'a: 1\n' },
      { name: '../outside/moo', body: payload },
      { name: absolute, body: payload },
      { name: 'lnk', type: '2', linkname: sandbox().outside },
      { name: 'hard', type: '1', linkname: '../outside/victim' },
      { name: 'fifo', type: '6' },
      { name: 'weights/w.bin', body: weights },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(report.verdict).toBe('skipped');
    expect(skipped(report)).toEqual([
      { code: 'PARENT_TRAVERSAL', member: '../outside/moo' },
      { code: 'ABSOLUTE_PATH', member: absolute },
      { code: 'SYMLINK', member: 'lnk' },
      { code: 'HARDLINK', member: 'hard' },
      { code: 'SPECIAL_FILE', member: 'fifo' },
    ]);
    expect(report.written).toEqual({ files: 2, directories: 0 });
    expectTree(sandbox().dest, { 'model_config.yaml': 'a: 1\n', weights: null, 'weights/w.bin': weights });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
    expect(existsSync(absolute)).toBe(false);
  });

  it('drops sparse and unknown-type members and writes the members after them', async () => {
    const archive = makeTar([
      { name: 'sparse.bin', body: 'x'.repeat(600), pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '100000' } },
      { name: 'odd', type: 'Z', body: 'z'.repeat(10) },
      { name: 'after.bin', body: weights },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(skipped(report)).toEqual([
      { code: 'SPECIAL_FILE', member: 'sparse.bin' },
      { code: 'SPECIAL_FILE', member: 'odd' },
    ]);
    expectTree(sandbox().dest, { 'after.bin': weights });
  });

  it('drops members that lie under a dropped symlink: they were meant for where it pointed', async () => {
    const archive = makeTar([
      { name: 'lnk', type: '2', linkname: sandbox().outside },
      { name: 'lnk/moo', body: payload },
      { name: 'lnk/deeper/moo', body: payload },
      { name: 'LNK/moo', body: payload },
      { name: 'keep.txt', body: 'keep' },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(skipped(report)).toEqual([
      { code: 'SYMLINK', member: 'lnk' },
      { code: 'SYMLINK', member: 'lnk/moo' },
      { code: 'SYMLINK', member: 'lnk/deeper/moo' },
      { code: 'SYMLINK', member: 'LNK/moo' },
    ]);
    expectTree(sandbox().dest, { 'keep.txt': 'keep' });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('drops the later of two colliding names and keeps the first', async () => {
    const archive = makeTar([
      { name: 'README', body: 'first' },
      { name: 'readme', body: 'second' },
      { name: 'README', body: 'third' },
      { name: 'other', body: 'other' },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(skipped(report)).toEqual([
      { code: 'NAME_COLLISION', member: 'readme' },
      { code: 'DUPLICATE_ENTRY', member: 'README' },
    ]);
    expectTree(sandbox().dest, { README: 'first', other: 'other' });
  });

  it('drops hostile zip members and writes the rest byte for byte', async () => {
    const archive = makeZip([
      { name: 'archive/data.pkl', body: 'pickle', method: 'deflate' },
      { name: '..\\..\\evil.bat', body: payload },
      { name: 'lnk', unixMode: 0o120777, body: '/etc' },
      { name: 'archive/data/0', body: weights, method: 'deflate' },
      { name: 'CON.txt', body: payload },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(report.verdict).toBe('skipped');
    expect(skipped(report)).toEqual([
      { code: 'BACKSLASH', member: '..\\..\\evil.bat' },
      { code: 'PARENT_TRAVERSAL', member: '..\\..\\evil.bat' },
      { code: 'SYMLINK', member: 'lnk' },
      { code: 'UNSAFE_NAME', member: 'CON.txt' },
    ]);
    expectTree(sandbox().dest, { archive: null, 'archive/data.pkl': 'pickle', 'archive/data': null, 'archive/data/0': weights });
  });

  it('drops members that conflict with the destination and writes the rest', async () => {
    writeFileSync(join(sandbox().dest, 'config.yaml'), 'mine');
    symlinkSync(sandbox().outside, join(sandbox().dest, 'lnk'));
    const archive = makeTar([
      { name: 'config.yaml', body: 'theirs' },
      { name: 'lnk/x', body: payload },
      { name: 'new.txt', body: 'new' },
    ]);
    const report = await extract(archive, sandbox().dest, { policy: 'skip' });
    expect(report.verdict).toBe('skipped');
    expect(
      skipped(report)
        .map(({ code, member }) => `${code} ${member}`)
        .sort(),
    ).toEqual(['DESTINATION_CONFLICT config.yaml', 'DESTINATION_CONFLICT lnk']);
    expect(existsSync(join(sandbox().outside, 'x'))).toBe(false);
    const tree = sandbox().snapshot();
    expect(tree.get('dest/lnk')).toBe(`link ${sandbox().outside}`);
    expect(tree.get('dest/new.txt')).toBeDefined();
  });

  it('scan with skip reports the same drops', async () => {
    const archive = makeTar([
      { name: 'ok', body: 'ok' },
      { name: '../x', body: payload },
    ]);
    const report = await scan(archive, { policy: 'skip' });
    expect(report.verdict).toBe('skipped');
    expect(report.findings.map(({ code, member, action }) => ({ code, member, action }))).toEqual([
      { code: 'PARENT_TRAVERSAL', member: '../x', action: 'skipped' },
    ]);
  });

  it('an archive with nothing hostile is accepted under skip', async () => {
    const report = await extract(makeTar([{ name: 'a', body: 'a' }]), sandbox().dest, { policy: 'skip' });
    expect(report.verdict).toBe('accepted');
    expect(report.findings).toEqual([]);
  });
});

describe('container findings still refuse under skip', () => {
  const skip = { policy: 'skip' } as const;

  it('a bad tar checksum after a hostile member', async () => {
    const archive = makeTar([
      { name: 'ok', body: 'ok' },
      { name: '../x', body: payload },
      { name: 'b', body: 'b', badChecksum: true },
    ]);
    const report = await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null }, skip);
    expect(report.findings.map(({ code, action }) => `${code} ${action}`)).toEqual(['PARENT_TRAVERSAL skipped', 'MALFORMED_ARCHIVE refused']);
  });

  it('a zip local/central name mismatch', async () => {
    const archive = makeZip([
      { name: 'ok', body: 'ok' },
      { name: 'w.bin', localName: '../x', body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin' }, skip);
  });

  it('a zip CRC mismatch found while writing', async () => {
    const archive = makeZip([
      { name: 'ok', body: 'ok' },
      { name: 'w.bin', body: 'w', crc: 7 },
    ]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'w.bin', scan: false }, skip);
  });

  it('a tar with a zip appended', async () => {
    const archive = makeZip([{ name: 'evil', body: payload }], { prefix: makeTar([{ name: 'ok', body: 'ok' }]) });
    await expectRefused(sandbox(), archive, { code: 'AMBIGUOUS_FORMAT', member: null }, skip);
  });

  it('a member over the per-file limit', async () => {
    const archive = gzipTar([
      { name: 'ok', body: 'ok' },
      { name: 'big.bin', body: Buffer.alloc(5000) },
    ]);
    await expectRefused(sandbox(), archive, { code: 'LIMIT_EXCEEDED', member: 'big.bin' }, { ...skip, limits: { maxFileSize: 4096 } });
  });

  it('too many members', async () => {
    const archive = makeTar([
      { name: 'a', body: 'a' },
      { name: 'b', body: 'b' },
      { name: 'c', body: 'c' },
    ]);
    await expectRefused(sandbox(), archive, { code: 'LIMIT_EXCEEDED', member: 'c' }, { ...skip, limits: { maxEntries: 2 } });
  });

  it('a name deeper than the limit', async () => {
    const name = `${'d/'.repeat(10)}f`;
    await expectRefused(
      sandbox(),
      makeTar([
        { name: 'ok', body: 'ok' },
        { name, body: 'x' },
      ]),
      { code: 'LIMIT_EXCEEDED', member: name },
      { ...skip, limits: { maxDepth: 8 } },
    );
  });
});
