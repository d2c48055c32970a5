import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extract } from '../../src/index.js';
import { expectTree, useSandbox, type Tree } from '../helpers/expect-extract.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { stagingLeftovers } from '../helpers/staging-leftovers.js';

// Twenty extractions at once, each into its own destination: each writes exactly its own tree,
// whatever the others do (staging folders, descriptors and buffers are per run).

const sandbox = useSandbox();

function archiveFor(i: number): { archive: Buffer; tree: Tree } {
  const files: { name: string; body: string | Buffer }[] = Array.from({ length: 30 }, (_, f) => ({
    name: `d${f % 3}/f${f}.txt`,
    body: `run ${i} file ${f}\n`.repeat(1 + ((i * f) % 50)),
  }));
  files.push({ name: 'weights.bin', body: Buffer.alloc(256 * 1024 + i, i) });
  const tree: Record<string, string | Buffer | null> = { d0: null, d1: null, d2: null };
  for (const file of files) tree[file.name] = file.body;
  const archive = i % 3 === 0 ? makeTar(files) : i % 3 === 1 ? gzipTar(files) : makeZip(files.map((file) => ({ ...file, method: 'deflate' as const })));
  return { archive, tree };
}

describe('20 extractions in parallel into different destinations', () => {
  it('all succeed, each with exactly its own tree and no staging left', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => ({ ...archiveFor(i), dest: join(sandbox().dest, `model-${i}`) }));
    const reports = await Promise.all(runs.map((run) => extract(run.archive, run.dest)));
    for (const [i, run] of runs.entries()) {
      expect(reports[i]!.verdict).toBe('accepted');
      expectTree(run.dest, run.tree);
      expect(stagingLeftovers(run.dest)).toEqual([]);
    }
  }, 60_000);
});
