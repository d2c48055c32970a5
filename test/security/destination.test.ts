import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { expectExtracted, expectRefused, expectTree, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// What is already in the destination is never written through: links there are looked at,
// never followed; existing files are conflicts unless `overwrite` is set, and even then a
// link is replaced, not followed. All or nothing: a refusal leaves the destination as it was.

const sandbox = useSandbox();
const payload = 'pwned\n';
const original = 'the victim, untouched\n';

function stagingLeftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('.slipguard-staging-'));
}

describe('links already in the destination', () => {
  it('refuses `lnk/x` when `lnk -> <outside>` is already there, writing nothing through it', async () => {
    symlinkSync(sandbox().outside, join(sandbox().dest, 'lnk'));
    const archive = makeTar([{ name: 'lnk/x', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'DESTINATION_CONFLICT', member: 'lnk', scan: false });
    expect(existsSync(join(sandbox().outside, 'x'))).toBe(false);
  });

  it('refuses a link deeper in the destination: `a/lnk -> <outside>`, archive writes `a/lnk/x`', async () => {
    mkdirSync(join(sandbox().dest, 'a'));
    symlinkSync(sandbox().outside, join(sandbox().dest, 'a', 'lnk'));
    const archive = makeTar([
      { name: 'a/ok.txt', body: 'ok' },
      { name: 'a/lnk/x', body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'DESTINATION_CONFLICT', member: 'a/lnk', scan: false });
    expect(existsSync(join(sandbox().outside, 'x'))).toBe(false);
    expect(existsSync(join(sandbox().dest, 'a', 'ok.txt'))).toBe(false);
  });

  it('refuses a file where a link to an outside file already is', async () => {
    writeFileSync(join(sandbox().outside, 'victim'), original);
    symlinkSync(join(sandbox().outside, 'victim'), join(sandbox().dest, 'config.yaml'));
    await expectRefused(sandbox(), makeZip([{ name: 'config.yaml', body: payload }]), { code: 'DESTINATION_CONFLICT', member: 'config.yaml', scan: false });
    expect(readFileSync(join(sandbox().outside, 'victim'), 'utf8')).toBe(original);
  });

  it('with overwrite, replaces a link to an outside file by the file (the link is not followed)', async () => {
    writeFileSync(join(sandbox().outside, 'victim'), original);
    symlinkSync(join(sandbox().outside, 'victim'), join(sandbox().dest, 'config.yaml'));
    await expectExtracted(sandbox(), makeTar([{ name: 'config.yaml', body: 'new config' }]), { 'config.yaml': 'new config' }, { overwrite: true });
    expect(lstatSync(join(sandbox().dest, 'config.yaml')).isFile()).toBe(true);
    expect(readFileSync(join(sandbox().outside, 'victim'), 'utf8')).toBe(original);
  });

  it('with overwrite, replaces a link to an outside folder by a real folder', async () => {
    symlinkSync(sandbox().outside, join(sandbox().dest, 'lnk'));
    await expectExtracted(sandbox(), makeTar([{ name: 'lnk/x', body: 'x' }]), { lnk: null, 'lnk/x': 'x' }, { overwrite: true });
    expect(lstatSync(join(sandbox().dest, 'lnk')).isDirectory()).toBe(true);
    expect(readdirSync(sandbox().outside)).toEqual([]);
  });

  it('with overwrite, replaces a dangling link', async () => {
    symlinkSync(join(sandbox().outside, 'not-yet'), join(sandbox().dest, 'a.txt'));
    await expectExtracted(sandbox(), makeTar([{ name: 'a.txt', body: 'a' }]), { 'a.txt': 'a' }, { overwrite: true });
    expect(existsSync(join(sandbox().outside, 'not-yet'))).toBe(false);
  });
});

describe('files and folders already in the destination', () => {
  it('refuses to replace a file that is already there', async () => {
    writeFileSync(join(sandbox().dest, 'model_config.yaml'), original);
    const archive = makeTar([{ name: 'model_config.yaml', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'DESTINATION_CONFLICT', member: 'model_config.yaml', scan: false });
    expect(readFileSync(join(sandbox().dest, 'model_config.yaml'), 'utf8')).toBe(original);
  });

  it('with overwrite, replaces the file', async () => {
    writeFileSync(join(sandbox().dest, 'model_config.yaml'), original);
    await expectExtracted(sandbox(), makeTar([{ name: 'model_config.yaml', body: 'new' }]), { 'model_config.yaml': 'new' }, { overwrite: true });
  });

  it('never replaces a folder, even with overwrite', async () => {
    mkdirSync(join(sandbox().dest, 'weights'));
    writeFileSync(join(sandbox().dest, 'weights', 'keep.bin'), original);
    const archive = makeTar([{ name: 'weights', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'DESTINATION_CONFLICT', member: 'weights', scan: false }, { overwrite: true });
  });

  it('refuses a folder where a file already is', async () => {
    writeFileSync(join(sandbox().dest, 'weights'), original);
    await expectRefused(sandbox(), makeTar([{ name: 'weights/w.bin', body: payload }]), { code: 'DESTINATION_CONFLICT', member: 'weights', scan: false });
  });

  it('merges into folders that are already there', async () => {
    mkdirSync(join(sandbox().dest, 'a'));
    writeFileSync(join(sandbox().dest, 'a', 'old.txt'), 'old');
    await expectExtracted(sandbox(), makeTar([{ name: 'a/new.txt', body: 'new' }]), { a: null, 'a/old.txt': 'old', 'a/new.txt': 'new' });
  });
});

describe('a second archive over the first', () => {
  const first = makeTar([
    { name: 'model/', type: '5' },
    { name: 'model/config.yaml', body: 'v1' },
    { name: 'model/weights.bin', body: 'w1' },
  ]);

  it('adds new files beside the first archive', async () => {
    await extract(first, sandbox().dest);
    await expectExtracted(sandbox(), makeZip([{ name: 'model/extra.txt', body: 'extra' }]), {
      model: null,
      'model/config.yaml': 'v1',
      'model/weights.bin': 'w1',
      'model/extra.txt': 'extra',
    });
  });

  it('refuses to replace the first archive\u2019s files, and writes none of its own', async () => {
    await extract(first, sandbox().dest);
    const second = makeTar([
      { name: 'model/new.txt', body: 'new' },
      { name: 'model/config.yaml', body: 'v2' },
    ]);
    await expectRefused(sandbox(), second, { code: 'DESTINATION_CONFLICT', member: 'model/config.yaml', scan: false });
    expectTree(sandbox().dest, { model: null, 'model/config.yaml': 'v1', 'model/weights.bin': 'w1' });
  });

  it('with overwrite, replaces them', async () => {
    await extract(first, sandbox().dest);
    const second = makeTar([{ name: 'model/config.yaml', body: 'v2' }]);
    await expectExtracted(sandbox(), second, { model: null, 'model/config.yaml': 'v2', 'model/weights.bin': 'w1' }, { overwrite: true });
  });

  it('a second archive cannot turn the first one\u2019s folder into a link', async () => {
    await extract(first, sandbox().dest);
    const second = makeTar([
      { name: 'model', type: '2', linkname: sandbox().outside },
      { name: 'model/x', body: payload },
    ]);
    await expectRefused(sandbox(), second, { code: 'SYMLINK', member: 'model' }, { overwrite: true });
  });
});

describe('the destination folder itself', () => {
  it('is created when missing', async () => {
    const dest = join(sandbox().root, 'new', 'deeper');
    const report = await extract(makeTar([{ name: 'a.txt', body: 'a' }]), dest);
    expect(report.verdict).toBe('accepted');
    expectTree(dest, { 'a.txt': 'a' });
  });

  it('is removed again, with the folders made for it, when the archive is refused', async () => {
    const dest = join(sandbox().root, 'new', 'deeper');
    const before = sandbox().snapshot();
    const error: unknown = await extract(
      makeTar([
        { name: 'a.txt', body: 'a' },
        { name: '../x', body: payload },
      ]),
      dest,
    ).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe('ERR_ARCHIVE_REFUSED');
    expect(existsSync(join(sandbox().root, 'new'))).toBe(false);
    expect(sandbox().snapshot()).toEqual(before);
  });

  it('is removed again when the archive turns out corrupt after members were staged', async () => {
    const dest = join(sandbox().root, 'new');
    const archive = makeZip([
      { name: 'a.txt', body: 'a' },
      { name: 'b.txt', body: 'b', crc: 1 },
    ]);
    const error: unknown = await extract(archive, dest).catch((reason: unknown) => reason);
    expect((error as ArchiveError).code).toBe('ERR_ARCHIVE_REFUSED');
    expect(existsSync(dest)).toBe(false);
  });

  it('keeps its own mode whatever the archive\u2019s `./` entry says', async () => {
    const dest = join(sandbox().root, 'private');
    mkdirSync(dest, { mode: 0o700 });
    await extract(
      makeTar([
        { name: './', type: '5', mode: 0o777 },
        { name: './a.txt', body: 'a' },
      ]),
      dest,
    );
    expect(lstatSync(dest).mode & 0o7777).toBe(0o700);
  });

  it('may itself be a link (a models folder on another disk); the files land in its target', async () => {
    const real = join(sandbox().root, 'real');
    mkdirSync(real);
    const link = join(sandbox().root, 'models');
    symlinkSync(real, link);
    await extract(makeTar([{ name: 'a.txt', body: 'a' }]), link);
    expect(readlinkSync(link)).toBe(real);
    expectTree(real, { 'a.txt': 'a' });
  });

  it('refuses a destination that is a file (ERR_DESTINATION)', async () => {
    const file = join(sandbox().root, 'file');
    writeFileSync(file, original);
    const error: unknown = await extract(makeTar([{ name: 'a.txt', body: 'a' }]), file).catch((reason: unknown) => reason);
    expect((error as ArchiveError).code).toBe('ERR_DESTINATION');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});

describe('staging folders', () => {
  it('leaves none behind after a success', async () => {
    await extract(makeTar([{ name: 'a/b.txt', body: 'b' }]), sandbox().dest);
    expect(stagingLeftovers(sandbox().dest)).toEqual([]);
  });

  it('leaves none behind after a refusal', async () => {
    await extract(
      makeTar([
        { name: 'a/b.txt', body: 'b' },
        { name: 'lnk', type: '2', linkname: '/' },
      ]),
      sandbox().dest,
    ).catch(() => undefined);
    expect(stagingLeftovers(sandbox().dest)).toEqual([]);
  });

  it('leaves none behind after a destination conflict under overwrite', async () => {
    writeFileSync(join(sandbox().dest, 'a.txt'), original);
    await extract(makeTar([{ name: 'a.txt', body: 'new' }]), sandbox().dest, { overwrite: true });
    expect(stagingLeftovers(sandbox().dest)).toEqual([]);
    expect(readFileSync(join(sandbox().dest, 'a.txt'), 'utf8')).toBe('new');
  });

  it('removes a stale staging folder left by a dead process on the next run', async () => {
    const stale = join(sandbox().dest, '.slipguard-staging-99999999-xxxx');
    mkdirSync(join(stale, 'half', 'written'), { recursive: true });
    writeFileSync(join(stale, 'half', 'written', 'w.bin'), 'partial');
    await extract(makeTar([{ name: 'a.txt', body: 'a' }]), sandbox().dest);
    expectTree(sandbox().dest, { 'a.txt': 'a' });
  });

  it('removes a stale staging folder even when the run is refused', async () => {
    mkdirSync(join(sandbox().dest, '.slipguard-staging-99999999-yyyy'));
    await extract(makeTar([{ name: '../x', body: payload }]), sandbox().dest).catch(() => undefined);
    expect(stagingLeftovers(sandbox().dest)).toEqual([]);
  });

  it('keeps the staging folder of a process that is still alive', async () => {
    const live = `.slipguard-staging-${process.ppid}-live`;
    mkdirSync(join(sandbox().dest, live));
    await extract(makeTar([{ name: 'a.txt', body: 'a' }]), sandbox().dest);
    expect(stagingLeftovers(sandbox().dest)).toEqual([live]);
  });

  it('does not follow a stale-looking link into another folder', async () => {
    writeFileSync(join(sandbox().outside, 'victim'), original);
    symlinkSync(sandbox().outside, join(sandbox().dest, '.slipguard-staging-99999999-link'));
    await extract(makeTar([{ name: 'a.txt', body: 'a' }]), sandbox().dest);
    expect(readFileSync(join(sandbox().outside, 'victim'), 'utf8')).toBe(original);
  });
});
