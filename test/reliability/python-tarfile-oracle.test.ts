import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { sanitizedTree } from '../helpers/compare-trees.js';
import { benignTarCorpus, tarCorpus } from '../helpers/oracle-corpus.js';
import { pythonDataFilterBatch } from '../helpers/python-data-filter.js';
import { missingTool } from '../helpers/real-extractors.js';
import { snapshotTree } from '../helpers/sandbox.js';

// Python's tarfile with filter="data" as an oracle, over a corpus of several hundred tars (the
// attack shapes of design §7, random hostile and benign member lists, and benign model-like tars). slipguard may be
// stricter, never looser: whatever Python refuses, slipguard refuses. Where both accept, they
// write the same tree: same paths, same bytes, and modes equal after slipguard's rules.

const HOSTILE = 400;
const BENIGN = 100;
const CORPUS = HOSTILE + BENIGN;
let scratch: string;
let outside: string;
const skip = missingTool('python3');
if (skip !== null) console.log(`python tarfile oracle skipped: ${skip}`);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'slipguard-oracle-'));
  outside = join(scratch, 'outside');
  mkdirSync(outside);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(skip !== null)('Python tarfile filter="data" as an oracle', () => {
  it(`refuses whatever Python refuses, and writes Python's tree where both accept (${CORPUS} tars)`, async () => {
    const corpus = [...tarCorpus(HOSTILE, outside), ...benignTarCorpus(BENIGN)];
    const jobs = corpus.map((archive, i) => {
      const path = join(scratch, `${i}.tar`);
      writeFileSync(path, archive.bytes);
      return { archive: path, dest: join(scratch, `python-${i}`) };
    });
    for (const job of jobs) mkdirSync(job.dest);
    const python = pythonDataFilterBatch(scratch, jobs);
    expect(python).toHaveLength(corpus.length);

    const tally = { pythonRefused: 0, slipguardRefused: 0, bothAccepted: 0, identical: 0, stricter: 0 };
    for (const [i, archive] of corpus.entries()) {
      const dest = join(scratch, `slipguard-${i}`);
      const error: unknown = await extract(archive.bytes, dest).then(
        () => null,
        (reason: unknown) => reason,
      );
      if (error !== null) expect(error, archive.label).toBeInstanceOf(ArchiveError);
      const pythonOk = python[i]!.ok;
      const ours = error === null;
      if (!pythonOk) tally.pythonRefused += 1;
      if (!ours) tally.slipguardRefused += 1;
      if (!pythonOk) expect(ours, `${archive.label}: Python refused (${python[i]!.error}), slipguard accepted`).toBe(false);
      if (pythonOk && !ours) tally.stricter += 1;
      if (pythonOk && ours) {
        tally.bothAccepted += 1;
        expect(sanitizedTree(dest), `${archive.label}: the trees differ`).toEqual(sanitizedTree(jobs[i]!.dest));
        tally.identical += 1;
      }
    }
    // Nothing of any archive reached the victim folder, through either tool.
    expect(snapshotTree(outside)).toEqual(new Map());
    console.log(`python oracle: ${corpus.length} tars; ${JSON.stringify(tally)}`);
    expect(tally.bothAccepted, 'benign archives in the corpus').toBeGreaterThan(CORPUS / 10);
    expect(tally.pythonRefused, 'hostile archives Python refuses').toBeGreaterThan(CORPUS / 10);
  }, 120_000);
});
