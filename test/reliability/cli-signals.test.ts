import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-cli.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { stagedBytes } from '../helpers/staging-leftovers.js';
import { exited, waitFor } from '../helpers/wait-for.js';
import { writeLargeTar } from '../helpers/write-large-tar.js';

// SIGINT (Ctrl-C) and SIGTERM (a service manager stopping a job) sent to `slipguard extract`
// in the middle of a 200 MiB archive: the binary aborts the run, which removes its staging
// folder; nothing takes a final name; the exit code is 128 + the signal's number.

const MiB = 1024 * 1024;
let scratch: string;
let archive: string;
let box: Sandbox;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipguard-signals-'));
  archive = join(scratch, 'big.tar');
  writeLargeTar(archive, [{ name: 'config.yaml', size: 100 }, ...Array.from({ length: 4 }, (_, i) => ({ name: `weights/part${i}.bin`, size: 50 * MiB }))]);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s to the CLI mid-extraction', (signal, exitCode) => {
  it(`exits ${exitCode}, leaving nothing under a final name and no staging folder`, async () => {
    const before = box.snapshot();
    const child = spawn(process.execPath, [BIN, 'extract', archive, '-C', box.dest], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = exited(child);
    // Mid-extraction: part of the archive is staged, not all of it.
    await waitFor(() => stagedBytes(box.dest) > MiB, 20_000, 'staged bytes');
    child.kill(signal);
    const result = await done;
    expect(result.code, result.stderr).toBe(exitCode);
    expect(result.stderr).toMatch(/ERR_ABORTED: extraction aborted \(interrupted by SIG(INT|TERM)\), nothing written/u);
    expect(result.stdout).toBe('');
    expect(readdirSync(box.dest)).toEqual([]);
    expect(box.snapshot()).toEqual(before);
  }, 60_000);
});
