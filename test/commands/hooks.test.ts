import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROGRESS_STEP } from '../../src/commands/vet-archive.js';
import { clean, extract, scan, type EntryInfo, type Progress } from '../../src/index.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/rejection.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** A loader's archive with a traversal, a link and what lies under it, and a setuid file. */
const hostile = (): Buffer =>
  makeTar([
    { name: 'config.yaml', body: 'a: 1\n' },
    { name: '../../evil.sh', body: 'rm -rf ~\n' },
    { name: 'lnk', type: '2', linkname: box.outside },
    { name: 'lnk/moo', body: 'moo' },
    { name: 'tools/run', body: '#!/bin/sh\n', mode: 0o4755 },
  ]);

const CONFIG: EntryInfo = { name: 'config.yaml', type: 'file', size: 5, index: 0, action: 'write', codes: [] };

describe('onEntry', () => {
  it('under refuse: once per member up to the one that refuses, which is the last', async () => {
    const seen: EntryInfo[] = [];
    const error = await rejection(extract(hostile(), box.dest, { onEntry: (entry) => seen.push(entry) }));
    expect(error.code).toBe('ERR_ARCHIVE_REFUSED');
    expect(seen).toEqual([CONFIG, { name: '../../evil.sh', type: 'file', size: 9, index: 1, action: 'refuse', codes: ['PARENT_TRAVERSAL'] }]);
  });

  it('under skip: every member, each with what was done to it and why', async () => {
    const seen: EntryInfo[] = [];
    const report = await extract(hostile(), box.dest, { policy: 'skip', onEntry: (entry) => seen.push(entry) });
    expect(report.verdict).toBe('skipped');
    expect(seen).toEqual([
      CONFIG,
      { name: '../../evil.sh', type: 'file', size: 9, index: 1, action: 'skip', codes: ['PARENT_TRAVERSAL'] },
      { name: 'lnk', type: 'symlink', size: 0, index: 2, action: 'skip', codes: ['SYMLINK'] },
      { name: 'lnk/moo', type: 'file', size: 3, index: 3, action: 'skip', codes: ['SYMLINK'] },
      { name: 'tools/run', type: 'file', size: 10, index: 4, action: 'write', codes: ['UNSAFE_MODE'] },
    ]);
    expect(seen.filter((entry) => entry.action === 'write')).toHaveLength(report.written.files);
  });

  it('scan goes on past a refusal and tells every member; clean tells what it keeps and drops', async () => {
    const scanned: EntryInfo[] = [];
    await scan(hostile(), { onEntry: (entry) => scanned.push(entry) });
    expect(scanned.map((entry) => [entry.name, entry.action])).toEqual([
      ['config.yaml', 'write'],
      ['../../evil.sh', 'refuse'],
      ['lnk', 'refuse'],
      ['lnk/moo', 'write'],
      ['tools/run', 'write'],
    ]);
    const cleaned: EntryInfo[] = [];
    const report = await clean(hostile(), join(box.root, 'clean.tar'), { onEntry: (entry) => cleaned.push(entry) });
    expect(cleaned.map((entry) => entry.action)).toEqual(['write', 'skip', 'skip', 'skip', 'write']);
    expect(report.removed).toBe(3);
  });

  it('a zip member is told as a tar member is', async () => {
    const zip = makeZip([
      { name: 'data.pkl', body: 'pickle' },
      { name: 'lnk', body: '/etc/passwd', unixMode: 0o120777 },
    ]);
    const seen: EntryInfo[] = [];
    await scan(zip, { policy: 'skip', onEntry: (entry) => seen.push(entry) });
    expect(seen).toEqual([
      { name: 'data.pkl', type: 'file', size: 6, index: 0, action: 'write', codes: [] },
      { name: 'lnk', type: 'symlink', size: 11, index: 1, action: 'skip', codes: ['SYMLINK'] },
    ]);
  });

  it('an exception thrown by the hook rejects the call as it is, with nothing written', async () => {
    const before = box.snapshot();
    const thrown = new Error('the caller gave up');
    const error = await rejection(
      extract(hostile(), box.dest, {
        policy: 'skip',
        onEntry: (entry) => {
          if (entry.index === 2) throw thrown;
        },
      }),
    );
    expect(error).toBe(thrown);
    expect(box.snapshot()).toEqual(before);
  });

  it('is not called for an archive refused before any member (a stream over the size limit)', async () => {
    const seen: EntryInfo[] = [];
    const report = await scan(Readable.from([hostile()]), { limits: { maxSize: 1000 }, onEntry: (entry) => seen.push(entry) });
    expect(report.findings.map((finding) => finding.code)).toEqual(['LIMIT_EXCEEDED']);
    expect(seen).toEqual([]);
  });
});

describe('onProgress: how far through the archive', () => {
  const files = makeTar(Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.bin`, body: Buffer.alloc(1000, i) })));

  it('a tar file: its read position of its size, a member counting as passed once handled', async () => {
    const path = join(box.root, 'a.tar');
    writeFileSync(path, files);
    const size = statSync(path).size;
    // Each member is a 512-byte header and 1000 bytes padded to 1024; scan passes over the data.
    const scanned: Progress[] = [];
    await scan(path, { onProgress: (progress) => scanned.push(progress) });
    expect(scanned).toEqual([1, 2, 3, 4].map((n) => ({ entries: n, bytes: 0, archiveBytes: 1536 * n - 24, archiveSize: size })));
    const extracted: Progress[] = [];
    await extract(path, box.dest, { onProgress: (progress) => extracted.push(progress) });
    expect(extracted).toEqual([1, 2, 3, 4].map((n) => ({ entries: n, bytes: 1000 * n, archiveBytes: 1536 * n - 24, archiveSize: size })));
  });

  it('a tar.gz: the compressed bytes read; a zip: up to the end of the member data', async () => {
    const gz = gzipTar([{ name: 'a.bin', body: Buffer.alloc(1000, 1) }]);
    const seen: Progress[] = [];
    await scan(gz, { onProgress: (progress) => seen.push(progress) });
    expect(seen).toEqual([{ entries: 1, bytes: 1000, archiveBytes: gz.length, archiveSize: gz.length }]);

    const zip = makeZip([{ name: 'a.bin', body: Buffer.alloc(1000, 1) }]);
    const zipSeen: Progress[] = [];
    await scan(zip, { onProgress: (progress) => zipSeen.push(progress) });
    // A local header of 30 bytes, then the name, then the 1000 stored bytes.
    expect(zipSeen).toEqual([{ entries: 1, bytes: 0, archiveBytes: 30 + 5 + 1000, archiveSize: zip.length }]);
  });

  it('a stream: no size', async () => {
    const seen: Progress[] = [];
    await scan(Readable.from([files]), { onProgress: (progress) => seen.push(progress) });
    expect(seen.map((progress) => progress.archiveSize)).toEqual([null, null, null, null]);
    expect(seen.at(-1)!.archiveBytes).toBe(1536 * 4 - 24);
  });

  it(`is also called during a long member, after each ${PROGRESS_STEP / 1024 ** 2} MiB more of it`, async () => {
    const size = 3 * PROGRESS_STEP + 5;
    const tar = makeTar([{ name: 'weights.bin', body: Buffer.alloc(size, 7) }]);
    const seen: Progress[] = [];
    await extract(tar, box.dest, { onProgress: (progress) => seen.push(progress) });
    expect(seen.at(-1)).toEqual({ entries: 1, bytes: size, archiveBytes: 512 + size, archiveSize: tar.length });
    const during = seen.slice(0, -1);
    // How the reader cuts the body into chunks is its own business: at least every step, at most a chunk (1 MiB) later.
    expect(during.length).toBeGreaterThanOrEqual(2);
    let before = 0;
    for (const progress of during) {
      expect(progress.entries).toBe(1);
      expect(progress.bytes - before).toBeGreaterThanOrEqual(PROGRESS_STEP);
      expect(progress.bytes - before).toBeLessThanOrEqual(PROGRESS_STEP + 1024 ** 2);
      expect(progress.archiveBytes).toBeGreaterThanOrEqual(512 + progress.bytes);
      expect(progress.archiveSize).toBe(tar.length);
      before = progress.bytes;
    }
  });

  it('a long zip member counts its stored share as it is read', async () => {
    const size = PROGRESS_STEP + 5;
    const zip = makeZip([{ name: 'weights.bin', body: Buffer.alloc(size, 7) }]);
    const seen: Progress[] = [];
    await extract(zip, box.dest, { onProgress: (progress) => seen.push(progress) });
    const dataStart = 30 + 'weights.bin'.length;
    expect(seen).toHaveLength(2);
    // Stored: the share of the stored bytes is exactly the real bytes out.
    expect(seen[0]!.bytes).toBeGreaterThanOrEqual(PROGRESS_STEP);
    expect(seen[0]).toEqual({ entries: 1, bytes: seen[0]!.bytes, archiveBytes: dataStart + seen[0]!.bytes, archiveSize: zip.length });
    expect(seen[1]).toEqual({ entries: 1, bytes: size, archiveBytes: dataStart + size, archiveSize: zip.length });
  });
});

describe('hook options are validated', () => {
  const tar = makeTar([{ name: 'a.txt', body: 'a' }]);
  it.each([
    [{ onEntry: 'log' }, 'onEntry must be a function, not a string'],
    [{ onProgress: {} }, 'onProgress must be a function, not an object'],
    [{ onEntry: null }, 'onEntry must be a function, not null'],
    [{ onentry: () => undefined }, 'unknown option "onentry"; did you mean onEntry?'],
    [{ on_progress: () => undefined }, 'unknown option "on_progress"; did you mean onProgress?'],
  ])('%o is rejected with ERR_INVALID_OPTION', async (options, message) => {
    for (const call of [
      () => extract(tar, box.dest, options as never),
      () => scan(tar, options as never),
      () => clean(tar, join(box.root, 'c.tar'), options as never),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe('ERR_INVALID_OPTION');
      expect(error.message).toBe(message);
    }
  });
});
