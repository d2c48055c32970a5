import fc from 'fast-check';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, extract, type ExtractOptions, type Policy } from '../../../src/index.js';
import { tarMemberPlan, toTarMember, toZipMember, zipMemberPlan } from '../../helpers/archive-arbitraries.js';
import { fuzzSettings } from '../../helpers/fuzz-settings.js';
import { makeTar } from '../../helpers/make-tar.js';
import { makeZip } from '../../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../../helpers/sandbox.js';
import { stagingLeftovers } from '../../helpers/staging-leftovers.js';
import { withTimeout } from '../../helpers/with-timeout.js';

// Whatever the archive, extracting it changes nothing outside the destination, and a refused
// one changes nothing at all. Each case gets a fresh sandbox: a destination that may already
// hold a folder, a file and a link to the victim folder beside it, and that victim folder.

/** What the destination holds before the run, so the commit meets folders, files and links. */
const destinationState = fc.record({ folder: fc.boolean(), file: fc.boolean(), link: fc.boolean() });
const runOptions = fc.record({ policy: fc.constantFrom<Policy>('refuse', 'skip'), overwrite: fc.boolean() });

function prepare(box: Sandbox, state: { folder: boolean; file: boolean; link: boolean }): void {
  writeFileSync(join(box.outside, 'victim'), 'the victim, untouched\n');
  if (state.folder) {
    mkdirSync(join(box.dest, 'dir'));
    writeFileSync(join(box.dest, 'dir', 'kept.txt'), 'kept\n');
  }
  if (state.file) writeFileSync(join(box.dest, 'a'), 'already here\n');
  if (state.link) symlinkSync(box.outside, join(box.dest, 'lnk'));
}

function withoutDestination(snapshot: Map<string, string>): Map<string, string> {
  return new Map([...snapshot].filter(([path]) => path !== 'dest' && !path.startsWith('dest/')));
}

/** Runs one case: extract, then the two containment promises and the staging one. Returns what happened. */
async function extractAndCheck(box: Sandbox, archive: Buffer, options: ExtractOptions): Promise<'written' | 'refused'> {
  const before = box.snapshot();
  const outcome = await withTimeout(
    extract(archive, box.dest, options).then(
      (report) => ({ report, error: null }),
      (error: unknown) => ({ report: null, error }),
    ),
    10_000,
    'extract',
  );
  const after = box.snapshot();
  expect(withoutDestination(after), 'nothing outside the destination changes').toEqual(withoutDestination(before));
  expect(stagingLeftovers(box.dest)).toEqual([]);
  if (outcome.error !== null) {
    // A refusal, never a crash; and a refused archive leaves everything as it was.
    expect(outcome.error).toBeInstanceOf(ArchiveError);
    expect((outcome.error as ArchiveError).code, (outcome.error as Error).message).toBe('ERR_ARCHIVE_REFUSED');
    expect(after, 'a refused archive changes nothing').toEqual(before);
    return 'refused';
  }
  // What was added is plain files (0644/0755) and folders (0755): no links, devices or setuid bits.
  for (const [path, what] of after) {
    if (before.get(path) === what) continue;
    expect(what, path).toMatch(/^(dir 755|file 644 |file 755 )/u);
  }
  return 'written';
}

/** Both outcomes must come up, or the property proves less than it says. */
function expectBothOutcomes(seen: Map<string, number>, runs: number): void {
  if (runs < 100) return;
  expect(seen.get('written') ?? 0, 'archives written').toBeGreaterThan(runs / 20);
  expect(seen.get('refused') ?? 0, 'archives refused').toBeGreaterThan(runs / 20);
}

describe('extracting a random archive never changes anything outside the destination', () => {
  const tars = fuzzSettings(300, { costly: 10, msPerCase: 60 });
  it(
    `random tars and tar.gz (${tars.runs} cases)`,
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(tarMemberPlan, { minLength: 1, maxLength: 6 }),
          fc.integer({ min: 0, max: 2 }),
          fc.boolean(),
          destinationState,
          runOptions,
          async (plans, endBlocks, gzip, state, options) => {
            const box = makeSandbox();
            try {
              prepare(box, state);
              const tar = makeTar(
                plans.map((plan) => toTarMember(plan, box.outside)),
                { endBlocks },
              );
              const outcome = await extractAndCheck(box, gzip ? gzipSync(tar) : tar, options);
              seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
            } finally {
              box.cleanup();
            }
          },
        ),
        tars.parameters,
      );
      expectBothOutcomes(seen, tars.runs);
    },
    tars.timeout,
  );

  const zips = fuzzSettings(300, { costly: 10, msPerCase: 60 });
  it(
    `random zips (${zips.runs} cases)`,
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(zipMemberPlan, { minLength: 0, maxLength: 6 }),
          fc.boolean(),
          destinationState,
          runOptions,
          async (plans, zip64End, state, options) => {
            const box = makeSandbox();
            try {
              prepare(box, state);
              const zip = makeZip(
                plans.map((plan) => toZipMember(plan, box.outside)),
                { zip64End },
              );
              const outcome = await extractAndCheck(box, zip, options);
              seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
            } finally {
              box.cleanup();
            }
          },
        ),
        zips.parameters,
      );
      expectBothOutcomes(seen, zips.runs);
    },
    zips.timeout,
  );
});
