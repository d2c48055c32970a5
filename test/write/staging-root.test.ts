import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StagingRoot } from '../../src/write/staging-root.js';
import { listTree, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;

let sandbox: Sandbox;
let root: StagingRoot | null = null;
afterEach(async () => {
  await root?.discard();
  root = null;
  sandbox.cleanup();
});

async function open(): Promise<StagingRoot> {
  sandbox = makeSandbox();
  root = await StagingRoot.create(sandbox.dest);
  return root;
}

/** A producer that reuses one buffer for every chunk, as the readers do. */
async function* reusing(data: Buffer, step: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(step);
  for (let at = 0; at < data.length; at += step) {
    const length = data.copy(buffer, 0, at, Math.min(at + step, data.length));
    yield buffer.subarray(0, length);
    buffer.fill(0xee); // what a consumer still holding the chunk would see
  }
}

async function commit(staging: StagingRoot): Promise<void> {
  expect(await staging.findConflicts()).toEqual([]);
  await staging.commit([], new Set());
  await staging.finish();
}

describe('StagingRoot', () => {
  it.each([
    ['small (synchronous writes)', 4000],
    ['large (asynchronous writes)', 3 * MiB + 5],
  ])('writes a %s file exactly, with its mode and mtime, from reused chunk buffers', async (_kind, size) => {
    const staging = await open();
    const data = randomBytes(size);
    const mtime = new Date('2020-02-02T02:02:02Z');
    const written = await staging.writeFile(['models', 'weights.bin'], 0o755, reusing(data, 256 * 1024), mtime, size);
    expect(written).toBe(size);
    await commit(staging);
    const path = join(sandbox.dest, 'models', 'weights.bin');
    expect(readFileSync(path).equals(data)).toBe(true);
    const stat = lstatSync(path);
    expect(stat.mode & 0o7777).toBe(0o755);
    expect(stat.mtime.getTime()).toBe(mtime.getTime());
    expect(lstatSync(join(sandbox.dest, 'models')).mode & 0o7777).toBe(0o755);
  });

  it('writes whole bodies handed over in one buffer, inline, through the worker and large, exactly', async () => {
    const staging = await open();
    // 300 small files: the first 256 are written inline, the rest by the worker's batches.
    const small = Array.from({ length: 300 }, (_, i) => randomBytes(1000 + i));
    for (const [i, data] of small.entries()) {
      const reused = Buffer.from(data);
      expect(await staging.writeFile(['d', `f${i}`], 0o644, reused, null, data.length)).toBe(data.length);
      reused.fill(0xee); // the reader's buffer, reused once the call returns
    }
    const large = randomBytes(2 * MiB + 9);
    expect(await staging.writeFile(['large.bin'], 0o644, large, null, large.length)).toBe(large.length);
    await commit(staging);
    for (const [i, data] of small.entries()) expect(readFileSync(join(sandbox.dest, 'd', `f${i}`)).equals(data)).toBe(true);
    expect(readFileSync(join(sandbox.dest, 'large.bin')).equals(large)).toBe(true);
  });

  it.each([[['..', 'x']], [['a', '..', '..', 'x']], [['', 'x']], [['.']], [['a\0b']], [['a/../../x']]])(
    'refuses parts %j that vetting should have stopped, writing nothing (the second layer)',
    async (parts) => {
      const staging = await open();
      const before = sandbox.snapshot();
      await expect(staging.writeFile(parts, 0o644, reusing(Buffer.from('x'), 1), null, 1)).rejects.toMatchObject({ code: 'EPERM' });
      await expect(staging.mkdir(parts)).rejects.toThrow(/outside the staging directory/u);
      expect(sandbox.snapshot()).toEqual(before);
    },
  );

  it('gives files their exact mode under a umask that would narrow it (077)', async () => {
    // vitest runs test files in child processes (the forks pool), where the umask can be set.
    const previous = process.umask(0o077);
    try {
      const staging = await open();
      await staging.writeFile(['tool'], 0o755, reusing(Buffer.from('#!/bin/sh\n'), 10), null, 10);
      await staging.writeFile(['data'], 0o644, reusing(Buffer.from('x'), 1), null, 1);
      await commit(staging);
    } finally {
      process.umask(previous);
    }
    expect(lstatSync(join(sandbox.dest, 'tool')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(sandbox.dest, 'data')).mode & 0o7777).toBe(0o644);
  });

  it('never writes through a file that already exists in staging (exclusive create)', async () => {
    const staging = await open();
    await staging.writeFile(['a'], 0o644, reusing(Buffer.from('first'), 5), null, 5);
    await expect(staging.writeFile(['a'], 0o644, reusing(Buffer.from('second'), 6), null, 6)).rejects.toMatchObject({ code: 'EEXIST' });
    await commit(staging);
    expect(readFileSync(join(sandbox.dest, 'a'), 'utf8')).toBe('first');
    expect(listTree(sandbox.dest)).toEqual(['a']);
  });
});
