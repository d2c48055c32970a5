import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway tree for one test: `dest` (where archives are extracted), `outside` (a victim
 * folder beside it that no archive may touch) and `root` holding both. Absolute-path attacks
 * aim at `outside`, so an escape is seen without touching anything real.
 */
export interface Sandbox {
  readonly root: string;
  readonly dest: string;
  readonly outside: string;
  /** Every path under `root`, with type, mode and content hash or link target. */
  snapshot(): Map<string, string>;
  cleanup(): void;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'slipguard-test-'));
  const dest = join(root, 'dest');
  const outside = join(root, 'outside');
  mkdirSync(dest);
  mkdirSync(outside);
  return {
    root,
    dest,
    outside,
    snapshot: () => snapshotTree(root),
    cleanup: () => removeTree(root),
  };
}

/**
 * rmSync works with whole paths, so it fails with ENAMETOOLONG on trees deeper than PATH_MAX,
 * which real extractors build when a test shows an attack succeeding; `rm -rf` walks with
 * relative opens and removes those too.
 */
function removeTree(root: string): void {
  try {
    rmSync(root, { recursive: true, force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw error;
    const result = spawnSync('rm', ['-rf', root]);
    if (result.status !== 0) throw error;
  }
}

/** A description of a tree that two calls compare equal exactly when nothing changed. */
export function snapshotTree(dir: string): Map<string, string> {
  const seen = new Map<string, string>();
  walk(dir, '', seen);
  return seen;
}

function walk(dir: string, rel: string, seen: Map<string, string>): void {
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const path = join(dir, childRel);
    const stat = lstatSync(path);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) seen.set(childRel, `link ${readlinkSync(path)}`);
    else if (stat.isDirectory()) {
      seen.set(childRel, `dir ${mode}`);
      walk(dir, childRel, seen);
    } else seen.set(childRel, `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  }
}

/** Relative paths of everything in a tree, folders with a trailing `/`. */
export function listTree(dir: string): string[] {
  return [...snapshotTree(dir)].map(([path, what]) => (what.startsWith('dir') ? `${path}/` : path));
}
