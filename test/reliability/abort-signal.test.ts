import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, extract, type ExtractReport } from '../../src/index.js';
import { expectTree } from '../helpers/expect-extract.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { stagedBytes, stagingLeftovers } from '../helpers/staging-leftovers.js';
import { waitFor } from '../helpers/wait-for.js';

// An AbortSignal fired at any point of an extraction: before the first member, between
// members, inside a large member's body, after the last member, or at a random moment. The
// run either rejects with ERR_ABORTED, leaving the sandbox exactly as it was and no staging
// folder, or (when the abort came after the commit) has written the whole archive.

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const BIG = 24 * 1024 * 1024;
// Random bytes: a run of one byte would deflate past the 1000:1 ratio limit and be refused.
const big = randomBytes(BIG);
const members = [
  ...Array.from({ length: 40 }, (_, i) => ({ name: `dir${i % 4}/f${i}.txt`, body: `file ${i}\n` })),
  { name: 'weights.bin', body: big },
  { name: 'tail.txt', body: 'after the big one\n' },
];
const tree: Record<string, string | Buffer | null> = { 'weights.bin': big, 'tail.txt': 'after the big one\n' };
for (let d = 0; d < 4; d++) tree[`dir${d}`] = null;
for (let i = 0; i < 40; i++) tree[`dir${i % 4}/f${i}.txt`] = `file ${i}\n`;

const formats = [
  ['tar', makeTar(members)],
  ['tar.gz', gzipTar(members)],
  ['zip', makeZip(members.map((member) => ({ ...member, method: member.body === big ? ('stored' as const) : ('deflate' as const) })))],
] as const;

async function outcome(promise: Promise<ExtractReport>): Promise<ExtractReport | ArchiveError> {
  return promise.catch((error: unknown) => {
    expect(error).toBeInstanceOf(ArchiveError);
    return error as ArchiveError;
  });
}

function expectAborted(result: ExtractReport | ArchiveError, before: Map<string, string>): void {
  expect(result).toBeInstanceOf(ArchiveError);
  expect((result as ArchiveError).code).toBe('ERR_ABORTED');
  expect((result as ArchiveError).message).toContain('nothing written');
  expect(box.snapshot(), 'the sandbox is as it was').toEqual(before);
  expect(stagingLeftovers(box.dest)).toEqual([]);
}

describe.each(formats)('an abort during extraction of a %s', (_format, archive) => {
  it.each([1, 10, 41])('after member %i: ERR_ABORTED, nothing written', async (at) => {
    const before = box.snapshot();
    const controller = new AbortController();
    const result = await outcome(
      extract(archive, box.dest, {
        signal: controller.signal,
        onProgress: ({ entries }) => {
          if (entries === at) controller.abort();
        },
      }),
    );
    expectAborted(result, before);
  });

  it('after the last member, before the commit: ERR_ABORTED, nothing under a final name', async () => {
    const before = box.snapshot();
    const controller = new AbortController();
    const result = await outcome(
      extract(archive, box.dest, {
        signal: controller.signal,
        onProgress: ({ entries }) => {
          if (entries === members.length) controller.abort();
        },
      }),
    );
    expectAborted(result, before);
  });

  it('inside the large member, once part of it is staged', async () => {
    const before = box.snapshot();
    const controller = new AbortController();
    const running = outcome(extract(archive, box.dest, { signal: controller.signal }));
    await waitFor(() => stagedBytes(box.dest) > 0, 10_000);
    controller.abort(new Error('test abort'));
    expectAborted(await running, before);
  });

  it.each([0, 1, 2, 5, 10, 20, 40, 80])('at a random moment (%i ms): all or nothing', async (delay) => {
    const before = box.snapshot();
    const controller = new AbortController();
    const running = outcome(extract(archive, box.dest, { signal: controller.signal }));
    setTimeout(() => controller.abort(), delay);
    const result = await running;
    if (result instanceof ArchiveError) expectAborted(result, before);
    else expectTree(box.dest, tree);
    expect(stagingLeftovers(box.dest)).toEqual([]);
  });
});
