import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract, scan } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/rejection.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const files = makeTar(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}.txt`, body: `file ${i}\n` })));

describe('options are validated once, strictly', () => {
  it.each([
    [{ maxsize: 1 }, 'unknown option "maxsize"'],
    [{ limits: { maxsize: 1 } }, 'unknown limit "maxsize"; did you mean maxSize?'],
    [{ policy: 'yolo' }, "policy must be 'refuse' or 'skip'"],
    [{ limits: { maxSize: -1 } }, 'limits.maxSize must be a positive integer'],
    [{ limits: { maxEntries: 1.5 } }, 'limits.maxEntries must be a positive integer'],
    [{ overwrite: 'yes' }, 'overwrite must be a boolean'],
    [{ signal: {} }, 'signal must be an AbortSignal'],
  ])('%j is rejected with ERR_INVALID_OPTION', async (options, message) => {
    const error = await rejection(extract(files, box.dest, options as never));
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(error.message).toContain(message);
    expect(readdirSync(box.dest)).toEqual([]);
  });

  it('scan does not take extract-only options', async () => {
    const error = await rejection(scan(files, { overwrite: true } as never));
    expect(error.code).toBe('ERR_INVALID_OPTION');
  });
});

describe('signal', () => {
  it('an abort before the start rejects with ERR_ABORTED and writes nothing', async () => {
    const before = box.snapshot();
    const error = await rejection(extract(files, box.dest, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('ERR_ABORTED');
    expect(box.snapshot()).toEqual(before);
  });

  it('an abort in the middle leaves the destination as it was, with no staging folder', async () => {
    const before = box.snapshot();
    const controller = new AbortController();
    const progress: number[] = [];
    const error = await rejection(
      extract(files, box.dest, {
        signal: controller.signal,
        onProgress: ({ entries }) => {
          progress.push(entries);
          if (entries === 20) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ERR_ABORTED');
    expect(progress.at(-1)).toBe(20);
    expect(box.snapshot()).toEqual(before);
  });
});

describe('onProgress', () => {
  it('is called after every member with the entries and real bytes so far', async () => {
    const seen: { entries: number; bytes: number }[] = [];
    await extract(files, box.dest, { onProgress: (progress) => seen.push(progress) });
    expect(seen).toHaveLength(50);
    expect(seen.at(-1)).toMatchObject({ entries: 50, bytes: files.length > 0 ? seen.at(-1)!.bytes : 0 });
    expect(seen.at(-1)!.bytes).toBe(Array.from({ length: 50 }, (_, i) => `file ${i}\n`.length).reduce((a, b) => a + b));
  });
});

describe('sources', () => {
  it('reads a Readable stream, spooled to a private file that is removed afterwards', async () => {
    const report = await extract(Readable.from([files.subarray(0, 1000), files.subarray(1000)]), box.dest);
    expect(report.archive).toBe('-');
    expect(readdirSync(box.dest)).toHaveLength(50);
  });

  it('stops spooling a stream at the size limit', async () => {
    const error = await rejection(extract(Readable.from([files]), box.dest, { limits: { maxSize: 4096 } }));
    expect(error.code).toBe('ERR_ARCHIVE_REFUSED');
    expect(readdirSync(box.dest)).toEqual([]);
  });
});
