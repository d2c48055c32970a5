import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../../src/index.js';
import { sanitizedTree } from '../helpers/compare-trees.js';
import { makeZip } from '../helpers/make-zip.js';
import { benignTarCorpus, benignZipMembers } from '../helpers/oracle-corpus.js';
import { missingTool } from '../helpers/real-extractors.js';

// For benign archives, slipguard writes the tree the everyday tools write: GNU tar for tars,
// Info-ZIP unzip for zips (stored and deflated members, folder entries or not, data
// descriptors, ZIP64, unix modes or none). Same paths, same bytes; modes compared after
// slipguard's rules (it writes 0644/0755 where the tools keep the archive's bits).

const COUNT = 150;
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipguard-tools-oracle-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function missingUnzip(): string | null {
  const probe = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
  if (probe.error !== undefined) return 'unzip is not installed';
  return probe.status === 0 ? null : 'unzip -v failed';
}

/** Runs a tool over `bytes` into a fresh folder; returns the folder. */
function toolTree(i: number, file: string, bytes: Buffer, command: (path: string, dest: string) => [string, string[]]): string {
  const path = join(scratch, file);
  const dest = join(scratch, `tool-${file}`);
  mkdirSync(dest);
  writeFileSync(path, bytes);
  const [tool, args] = command(path, dest);
  const result = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  expect(result.status, `${tool} on archive ${i}: ${result.stderr}`).toBe(0);
  return dest;
}

const tarSkip = missingTool('tar');
if (tarSkip !== null) console.log(`GNU tar oracle skipped: ${tarSkip}`);
const unzipSkip = missingUnzip();
if (unzipSkip !== null) console.log(`unzip oracle skipped: ${unzipSkip}`);

describe('benign archives: the same tree as the everyday tools', () => {
  it.skipIf(tarSkip !== null)(
    `GNU tar -xf --no-same-owner (${COUNT} tars)`,
    async () => {
      for (const [i, archive] of benignTarCorpus(COUNT).entries()) {
        const dest = join(scratch, `slipguard-tar-${i}`);
        const report = await extract(archive.bytes, dest);
        expect(report.verdict, archive.label).toBe('accepted');
        const tool = toolTree(i, `${i}.tar`, archive.bytes, (path, out) => ['tar', ['-xf', path, '--no-same-owner', '-C', out]]);
        expect(sanitizedTree(dest), archive.label).toEqual(sanitizedTree(tool));
      }
    },
    120_000,
  );

  it.skipIf(unzipSkip !== null)(
    `unzip -q (${COUNT} zips)`,
    async () => {
      for (const [i, archive] of benignZipMembers(COUNT).entries()) {
        const bytes = makeZip(archive.members, { zip64End: archive.zip64End });
        const dest = join(scratch, `slipguard-zip-${i}`);
        const report = await extract(bytes, dest);
        expect(report.verdict, archive.label).toBe('accepted');
        const tool = toolTree(i, `${i}.zip`, bytes, (path, out) => ['unzip', ['-q', path, '-d', out]]);
        expect(sanitizedTree(dest), archive.label).toEqual(sanitizedTree(tool));
      }
    },
    120_000,
  );
});
