import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { chattr, mount, mountTmpfs, unmount } from '../helpers/mounts.js';
import { runBin } from '../helpers/run-cli.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

// Destinations that cannot be written: a file, a folder without write permission, a read-only
// bind mount, a read-only filesystem. Each is ERR_DESTINATION (the CLI exits 2, naming the
// reason), and nothing changes anywhere in the sandbox. We run as root, whom permission bits do
// not stop: the immutable attribute (chattr +i) and read-only mounts do.

const archive = makeTar([
  { name: 'model_config.yaml', body: 'a: 1\n' },
  { name: 'weights/w.bin', body: 'weights' },
]);

let box: Sandbox;
let undo: (() => void)[] = [];
let archivePath: string;
beforeEach(() => {
  box = makeSandbox();
  archivePath = join(box.root, 'model.tar');
  writeFileSync(archivePath, archive);
});
afterEach(() => {
  for (const step of undo.reverse()) step();
  undo = [];
  box.cleanup();
});

/** Library and CLI both refuse to use `dest`, with `why` in the message, and nothing changes. */
async function expectUnusable(dest: string, why: RegExp): Promise<void> {
  const before = box.snapshot();
  const error: unknown = await extract(archive, dest).catch((reason: unknown) => reason);
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe('ERR_DESTINATION');
  expect((error as ArchiveError).message).toMatch(why);
  const result = runBin(['extract', archivePath, '-C', dest]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/ERR_DESTINATION/u);
  expect(result.stderr).toMatch(why);
  expect(box.snapshot()).toEqual(before);
}

describe('a destination that cannot be written', () => {
  it('is a file', async () => {
    const file = join(box.root, 'file');
    writeFileSync(file, 'not a folder\n');
    await expectUnusable(file, /not a directory|already exists/u);
  });

  it('lies under a file', async () => {
    const file = join(box.root, 'file');
    writeFileSync(file, 'not a folder\n');
    await expectUnusable(join(file, 'sub'), /not a directory/u);
  });

  it('has no write permission (immutable for root, mode 0555 for others)', async (context) => {
    if (process.getuid?.() === 0) {
      const reason = chattr('+i', box.dest);
      if (reason !== null) {
        console.log(`skipped: ${reason}`);
        return context.skip();
      }
      undo.push(() => chattr('-i', box.dest));
      await expectUnusable(box.dest, /operation not permitted/u);
    } else {
      chmodSync(box.dest, 0o555);
      undo.push(() => chmodSync(box.dest, 0o755));
      await expectUnusable(box.dest, /permission denied/u);
    }
  });

  it('is a read-only bind mount', async (context) => {
    writeFileSync(join(box.dest, 'kept.txt'), 'here before\n');
    const reason = mount('--bind', box.dest, box.dest) ?? mount('-o', 'remount,bind,ro', box.dest);
    if (reason !== null) {
      unmount(box.dest);
      console.log(`skipped: ${reason}`);
      return context.skip();
    }
    undo.push(() => unmount(box.dest));
    await expectUnusable(box.dest, /read-only filesystem/u);
  });

  it('is on a read-only filesystem, as is a missing destination there', async (context) => {
    const reason = mountTmpfs(box.dest, '1m');
    if (reason !== null) {
      console.log(`skipped: ${reason}`);
      return context.skip();
    }
    undo.push(() => unmount(box.dest));
    mkdirSync(join(box.dest, 'models'));
    writeFileSync(join(box.dest, 'models', 'kept.txt'), 'here before\n');
    const remount = mount('-o', 'remount,ro', box.dest);
    if (remount !== null) {
      console.log(`skipped: ${remount}`);
      return context.skip();
    }
    await expectUnusable(join(box.dest, 'models'), /read-only filesystem/u);
    await expectUnusable(join(box.dest, 'new', 'folder'), /read-only filesystem/u);
  });
});
