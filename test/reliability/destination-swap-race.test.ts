import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { makeSandbox, snapshotTree, type Sandbox } from '../helpers/sandbox.js';

// A second process, running as another user who can write to the destination (mode 0777, as a
// shared folder is), keeps replacing folders there with links to an outside folder while
// archives with many members are extracted into it: folders the archive merges into, folders
// it creates, and slipguard's own staging folder. Whatever the timing, the archive's bytes must
// never land outside. (An attacker who can write to the destination's parent, or root, can do
// more: see SECURITY.md.)

const NOBODY = 65534;
const MARKER = 'SLIPGUARD-RACE-PAYLOAD';
const RACE_MS = 5000;
const MIN_RUNS = 12;

/**
 * The racer: walks the destination named in the control file (three levels deep), and for each folder it finds moves it
 * aside, puts a link to `outside` in its place for a moment, then puts the folder back, so
 * extraction goes on and meets the link at a random point. It cannot enter slipguard's 0700
 * staging folder, but it can move it, as anyone who can write to the destination can.
 */
const RACER = `
const fs = require('node:fs');
const path = require('node:path');
const [outside, control] = process.argv.slice(1);
let n = 0;
function folders(dir, depth, out) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.includes('.swapped-')) continue;
    const p = path.join(dir, entry.name);
    out.push(p);
    if (depth < 3) folders(p, depth + 1, out);
  }
}
for (;;) {
  const found = [];
  let root = '';
  try { root = fs.readFileSync(control, 'utf8'); } catch {}
  if (root !== '') folders(root, 0, found);
  // Names the archive is about to create: a link there for a moment, too.
  for (const name of ['n0', 'n1', 't0.bin']) {
    if (root === '') break;
    const p = path.join(root, name);
    try { fs.symlinkSync(outside, p); } catch { continue; }
    const until = process.hrtime.bigint() + 300000n;
    while (process.hrtime.bigint() < until);
    try { if (fs.lstatSync(p).isSymbolicLink()) fs.unlinkSync(p); } catch {}
  }
  for (const p of found) {
    const moved = p + '.swapped-' + n++;
    try { fs.renameSync(p, moved); } catch { continue; }
    try { fs.symlinkSync(outside, p); } catch {}
    const until = process.hrtime.bigint() + BigInt(200000 + Math.floor(Math.random() * 800000));
    while (process.hrtime.bigint() < until);
    try { fs.unlinkSync(p); } catch {}
    try { fs.renameSync(moved, p); } catch {}
  }
}
`;

let box: Sandbox;
let racer: ChildProcess | null = null;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  racer?.kill('SIGKILL');
  racer = null;
  box.cleanup();
});

/** Top-level files and folders, and files inside folders the destination already has. */
function members(run: number): { name: string; body: string }[] {
  const list: { name: string; body: string }[] = [];
  for (let i = 0; i < 60; i++) list.push({ name: `t${i}.bin`, body: `${MARKER} run ${run} top ${i}\n` });
  for (let d = 0; d < 4; d++) {
    for (let i = 0; i < 25; i++) list.push({ name: `m${d}/f${i}.bin`, body: `${MARKER} run ${run} merged ${d}/${i}\n` });
    for (let i = 0; i < 25; i++) list.push({ name: `n${d}/sub/f${i}.bin`, body: `${MARKER} run ${run} new ${d}/${i}\n` });
  }
  return list;
}

/** A destination anyone can write to, holding folders the archive will merge into (and, for overwrite runs, files it replaces). */
function sharedDestination(run: number): string {
  const dest = join(box.root, `shared-${run}`);
  mkdirSync(dest, { mode: 0o777 });
  chmodSync(dest, 0o777);
  for (let d = 0; d < 4; d++) {
    mkdirSync(join(dest, `m${d}`));
    chmodSync(join(dest, `m${d}`), 0o777);
    writeFileSync(join(dest, `m${d}`, 'existing.txt'), 'already here\n');
    if (overwrites(run)) writeFileSync(join(dest, `m${d}`, 'f0.bin'), 'to be replaced\n');
  }
  return dest;
}

/** Every other pair of runs replaces what is there (files and links, never followed). */
function overwrites(run: number): boolean {
  return run % 4 >= 2;
}

describe('a process swapping folders in the destination for links while extraction runs', () => {
  it('never gets the archive written outside the destination', async (context) => {
    if (process.getuid?.() !== 0) {
      console.log('skipped: the racer must run as another user (needs root to switch to uid 65534)');
      context.skip();
    }
    // Others may pass through the sandbox, not write to it; the victim folder is root's.
    chmodSync(box.root, 0o755);
    chmodSync(box.outside, 0o755);
    const before = snapshotTree(box.outside);
    const runs = 64;
    const destinations = Array.from({ length: runs }, (_, run) => sharedDestination(run));
    const control = join(box.root, 'current');
    writeFileSync(control, '');
    chmodSync(control, 0o644);
    racer = spawn(process.execPath, ['-e', RACER, box.outside, control], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });

    const outcomes = new Map<string, number>();
    const started = Date.now();
    let run = 0;
    for (; run < runs && (run < MIN_RUNS || Date.now() - started < RACE_MS); run++) {
      const list = members(run);
      const archive = run % 2 === 0 ? makeTar(list) : makeZip(list);
      writeFileSync(control, destinations[run]!);
      const outcome = await extract(archive, destinations[run]!, { overwrite: overwrites(run) }).then(
        () => 'written',
        (error: unknown) => {
          // Meeting a link is a conflict or a failed write, never a crash.
          expect(error).toBeInstanceOf(ArchiveError);
          // Messages name real paths, not the descriptors the writer reaches folders through.
          expect((error as Error).message).not.toContain('/proc/self/fd');
          return (error as ArchiveError).code;
        },
      );
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      // Nothing has landed outside, after any run.
      expect(snapshotTree(box.outside), `after run ${run} (${outcome})`).toEqual(before);
    }
    racer.kill('SIGKILL');
    console.log(`swap race: ${run} extractions, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(snapshotTree(box.outside)).toEqual(before);
    expect(run).toBeGreaterThanOrEqual(MIN_RUNS);
  }, 60_000);
});
