import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { mountTmpfs, unmount, usedBytes } from '../helpers/mounts.js';
import { runBin } from '../helpers/run-cli.js';
import { snapshotTree } from '../helpers/sandbox.js';
import { stagingLeftovers } from '../helpers/staging-leftovers.js';

// A real full disk: a 4 MiB tmpfs, and archives holding 6 MiB. The write fails with ENOSPC
// partway; the run rejects with ERR_DISK_FULL (the CLI exits 2 and says the disk is full),
// the staging folder is removed, the space is given back, and the destination is as it was.
// A tmpfs with no inodes left fails earlier, making the staging folder, and says the same.

const MiB = 1024 * 1024;
const parts = Array.from({ length: 3 }, (_, i) => ({ name: `weights/part${i}.bin`, body: randomBytes(2 * MiB) }));
const formats = [
  ['tar', makeTar(parts)],
  ['tar.gz', gzipTar(parts)],
  ['zip', makeZip(parts)],
] as const;

let scratch: string;
let disk: string;
let skipReason: string | null = null;
let count = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipguard-full-disk-'));
  disk = join(scratch, 'disk');
  mkdirSync(disk);
  skipReason = mountTmpfs(disk, '4m');
  if (skipReason !== null) console.log(`full-disk tests skipped: ${skipReason}`);
});
afterAll(() => {
  if (skipReason === null) unmount(disk);
  rmSync(scratch, { recursive: true, force: true });
});

/** A destination on the small disk that already holds a file, so "as it was" means something. */
function destination(): string {
  const dest = join(disk, `dest${count++}`);
  mkdirSync(dest);
  writeFileSync(join(dest, 'kept.txt'), 'here before\n');
  return dest;
}

/** Extraction rejects with ERR_DISK_FULL, says so in real paths, leaves the destination as it was and gives the space back. */
async function expectDiskFull(format: string, archive: Buffer): Promise<void> {
  const dest = destination();
  const before = snapshotTree(dest);
  const used = usedBytes(disk);
  const error: unknown = await extract(archive, dest).catch((reason: unknown) => reason);
  expect(error, format).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe('ERR_DISK_FULL');
  expect((error as ArchiveError).message).toMatch(/the disk is full/u);
  expect((error as ArchiveError).message).not.toContain('/proc/self/fd');
  expect(snapshotTree(dest)).toEqual(before);
  expect(stagingLeftovers(dest)).toEqual([]);
  expect(usedBytes(disk)).toBeLessThanOrEqual(used + 64 * 1024);
}

describe.each(formats)('extracting a %s larger than the disk', (format, archive) => {
  it('rejects with ERR_DISK_FULL; the destination is as it was and the space is given back', async (context) => {
    if (skipReason !== null) return context.skip();
    await expectDiskFull(format, archive);
  });

  it('the CLI exits 2 and says the disk is full', async (context) => {
    if (skipReason !== null) return context.skip();
    const dest = destination();
    const before = snapshotTree(dest);
    const path = join(scratch, `archive.${format}`);
    writeFileSync(path, archive);
    const result = runBin(['extract', path, '-C', dest]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ERR_DISK_FULL: .*the disk is full/u);
    const json = runBin(['extract', path, '-C', dest, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'ERR_DISK_FULL', message: expect.stringContaining('the disk is full') } });
    expect(snapshotTree(dest)).toEqual(before);
  });
});

describe('a disk with no inodes left', () => {
  let inodeDisk: string;
  let reason: string | null = null;
  beforeEach(() => {
    inodeDisk = join(scratch, `inodes${count++}`);
    mkdirSync(inodeDisk);
    reason = mountTmpfs(inodeDisk, '4m', 'nr_inodes=16');
    if (reason !== null) console.log(`inode tests skipped: ${reason}`);
  });
  afterEach(() => {
    if (reason === null) unmount(inodeDisk);
  });

  it('cannot hold even the staging folder: ERR_DISK_FULL, exit 2, nothing changed', async (context) => {
    if (reason !== null) return context.skip();
    const dest = join(inodeDisk, 'dest');
    mkdirSync(dest);
    useUpInodes(inodeDisk);
    const before = snapshotTree(inodeDisk);
    const error: unknown = await extract(makeTar([{ name: 'a.txt', body: 'a' }]), dest).catch((reason: unknown) => reason);
    expect((error as ArchiveError).code).toBe('ERR_DISK_FULL');
    const path = join(scratch, 'small.tar');
    writeFileSync(path, makeTar([{ name: 'a.txt', body: 'a' }]));
    const result = runBin(['extract', path, '-C', dest]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ERR_DISK_FULL: .*the disk is full/u);
    expect(snapshotTree(inodeDisk)).toEqual(before);
  });

  it('a missing destination it made, with no inode left for the staging folder, is removed again', async (context) => {
    if (reason !== null) return context.skip();
    // One inode free: enough for the destination, not for the staging folder inside it.
    rmSync(join(inodeDisk, useUpInodes(inodeDisk).at(-1)!));
    const before = snapshotTree(inodeDisk);
    const error: unknown = await extract(makeTar([{ name: 'a.txt', body: 'a' }]), join(inodeDisk, 'new-dest')).catch((reason: unknown) => reason);
    expect((error as ArchiveError).code).toBe('ERR_DISK_FULL');
    expect(snapshotTree(inodeDisk)).toEqual(before);
  });
});

/** Creates empty files until the filesystem has no inode left; returns their names. */
function useUpInodes(dir: string): string[] {
  const names: string[] = [];
  for (let i = 0; ; i++) {
    const name = `filler-${process.hrtime.bigint()}-${i}`;
    try {
      writeFileSync(join(dir, name), '');
      names.push(name);
    } catch {
      return names;
    }
  }
}

// Many small files go to the writer's worker thread in batches (past the first 256): a write
// failing there fails the run just the same, named as the disk being full.
const small = Array.from({ length: 1500 }, (_, i) => ({ name: `shard${i % 30}/part${i}.bin`, body: randomBytes(4096) }));
describe.each([
  ['tar', makeTar(small)],
  ['zip', makeZip(small)],
] as const)('extracting a %s of 1500 small files, larger than the disk', (format, archive) => {
  it('rejects with ERR_DISK_FULL from the worker; the destination is as it was and the space is given back', async (context) => {
    if (skipReason !== null) return context.skip();
    await expectDiskFull(format, archive);
  });
});
