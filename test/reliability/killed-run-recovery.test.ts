import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../src/index.js';
import { expectTree } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { BIN, runBin } from '../helpers/run-cli.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { stagedBytes, stagingLeftovers } from '../helpers/staging-leftovers.js';
import { exited, waitFor } from '../helpers/wait-for.js';
import { writeLargeTar } from '../helpers/write-large-tar.js';

// SIGKILL cannot be caught: the staging folder stays. But nothing appears under a final name,
// and the next run into the same destination sees that the folder's process is gone, removes
// it, and succeeds.

const MiB = 1024 * 1024;
const parts = Array.from({ length: 4 }, (_, i) => ({ name: `weights/part${i}.bin`, size: 50 * MiB }));
let scratch: string;
let archive: string;
let box: Sandbox;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipguard-killed-'));
  archive = join(scratch, 'big.tar');
  writeLargeTar(archive, parts);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** Starts the CLI on the big archive and SIGKILLs it once part of the archive is staged. */
async function killMidway(): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'extract', archive, '-C', box.dest], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = exited(child);
  await waitFor(() => stagedBytes(box.dest) > MiB, 20_000, 'staged bytes');
  child.kill('SIGKILL');
  const result = await done;
  expect(result.signal).toBe('SIGKILL');
  // Only the staging folder of the killed process: nothing under a final name.
  expect(readdirSync(box.dest)).toEqual([expect.stringMatching(new RegExp(`^\\.slipguard-staging-${child.pid}-`, 'u'))]);
  return child.pid!;
}

describe('after SIGKILL mid-extraction', () => {
  it('the next CLI run into the same destination removes the stale staging folder and succeeds', async () => {
    await killMidway();
    const result = runBin(['extract', archive, '-C', box.dest]);
    expect(result.code, result.stderr).toBe(0);
    expect(stagingLeftovers(box.dest)).toEqual([]);
    expect(readdirSync(box.dest)).toEqual(['weights']);
    expect(readdirSync(join(box.dest, 'weights')).sort()).toEqual(parts.map((part) => part.name.slice('weights/'.length)));
    for (const part of parts) expect(statSync(join(box.dest, part.name)).size).toBe(part.size);
  }, 60_000);

  it('a library run of another archive into that destination removes it too', async () => {
    await killMidway();
    await extract(makeTar([{ name: 'notes.txt', body: 'after the crash\n' }]), box.dest);
    expectTree(box.dest, { 'notes.txt': 'after the crash\n' });
  }, 60_000);
});
