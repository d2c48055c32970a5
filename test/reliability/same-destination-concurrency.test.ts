import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, extract, type ExtractReport } from '../../src/index.js';
import { useSandbox } from '../helpers/expect-extract.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { BIN } from '../helpers/run-cli.js';
import { listTree } from '../helpers/sandbox.js';
import { stagingLeftovers } from '../helpers/staging-leftovers.js';
import { exited } from '../helpers/wait-for.js';

// Several extractions into one destination at once, their archives sharing some paths. Without
// `overwrite` a path that exists is a conflict, and that must hold between concurrent runs too:
// each run either succeeds, and then every one of its files is there with its content, or is
// refused with DESTINATION_CONFLICT and wrote nothing. Every file present has exactly one
// archive's content (never torn, never a mix), and no staging folder stays.

const sandbox = useSandbox();
const RUNS = 6;
let successes = 0;

/**
 * Archive `i`: shared paths (top level, in a shared folder, deep), and one of its own. Even
 * rounds use flat archives, only files at the top level, where every move is of a file.
 */
let flat = false;
function files(i: number): { name: string; body: string }[] {
  if (flat)
    return [
      ...Array.from({ length: 30 }, (_, f) => ({ name: `top${f}.txt`, body: `archive ${i} top ${f}\n` })),
      { name: `only-${i}.txt`, body: `archive ${i} alone\n` },
    ];
  return [
    { name: 'shared.txt', body: `archive ${i}\n` },
    { name: 'weights/w.bin', body: `archive ${i} weights\n`.repeat(4000 + i) },
    { name: 'dir/sub/deep.txt', body: `archive ${i} deep\n` },
    { name: `only-${i}.txt`, body: `archive ${i} alone\n` },
    ...Array.from({ length: 20 }, (_, f) => ({ name: `many/f${f}.txt`, body: `archive ${i} file ${f}\n` })),
  ];
}

function archive(i: number): Buffer {
  return i % 3 === 0 ? makeTar(files(i)) : i % 3 === 1 ? gzipTar(files(i)) : makeZip(files(i));
}

/** Which archive wrote `path`, from its content: exactly one must match. */
function writer(dest: string, path: string): number[] {
  const content = readFileSync(join(dest, path), 'utf8');
  return Array.from({ length: RUNS }, (_, i) => i).filter((i) => files(i).some((file) => file.name === path && file.body === content));
}

function expectConsistent(dest: string, succeeded: number[]): void {
  expect(stagingLeftovers(dest)).toEqual([]);
  for (const path of listTree(dest).filter((entry) => !entry.endsWith('/'))) {
    expect(writer(dest, path), `${path} holds exactly one archive's content`).toHaveLength(1);
  }
  // A run that succeeded has all its files, as it wrote them: no other run replaced one.
  for (const i of succeeded) {
    for (const file of files(i)) expect(readFileSync(join(dest, file.name), 'utf8'), `${file.name} of run ${i}`).toBe(file.body);
  }
  // A refused run wrote nothing: its own file is not there.
  for (let i = 0; i < RUNS; i++) {
    if (!succeeded.includes(i)) expect(listTree(dest)).not.toContain(`only-${i}.txt`);
  }
}

describe('several extractions into the same destination at once', () => {
  it.each(Array.from({ length: 12 }, (_, round) => round))('library, round %i: each succeeds or reports DESTINATION_CONFLICT; no torn files', async (round) => {
    flat = round % 2 === 0;
    const dest = sandbox().dest;
    const results = await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        extract(archive(i), dest).then(
          (report) => ({ i, report, error: null }),
          (error: unknown) => ({ i, report: null, error }),
        ),
      ),
    );
    const succeeded: number[] = [];
    for (const { i, report, error } of results) {
      if (report !== null) {
        expect(report.verdict).toBe('accepted');
        succeeded.push(i);
        continue;
      }
      expect(error, `run ${i}: ${String(error)}`).toBeInstanceOf(ArchiveError);
      expect((error as ArchiveError).code, (error as Error).message).toBe('ERR_ARCHIVE_REFUSED');
      const refusing = (error as ArchiveError<ExtractReport>).report!.findings.filter((finding) => finding.action === 'refused');
      expect(new Set(refusing.map((finding) => finding.code))).toEqual(new Set(['DESTINATION_CONFLICT']));
    }
    // Runs that see each other's half-made commits may all refuse; across rounds, some succeed.
    successes += succeeded.length;
    expectConsistent(dest, succeeded);
  });

  it('CLI processes at once: exit 0 or 1 (conflict), same consistency', async () => {
    flat = false;
    const dest = sandbox().dest;
    const paths = Array.from({ length: RUNS }, (_, i) => {
      const path = join(sandbox().root, `archive-${i}`);
      writeFileSync(path, archive(i));
      return path;
    });
    const exits = await Promise.all(
      paths.map((path) => exited(spawn(process.execPath, [BIN, 'extract', path, '-C', dest, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }))),
    );
    const succeeded: number[] = [];
    for (const [i, result] of exits.entries()) {
      expect([0, 1], `run ${i}: ${result.stderr}`).toContain(result.code);
      const report = JSON.parse(result.stdout) as ExtractReport;
      if (result.code === 0) succeeded.push(i);
      else
        expect(new Set(report.findings.filter((finding) => finding.action === 'refused').map((finding) => finding.code))).toEqual(
          new Set(['DESTINATION_CONFLICT']),
        );
    }
    successes += succeeded.length;
    expectConsistent(dest, succeeded);
  }, 60_000);

  it('some runs succeeded in the rounds above, so the checks were not vacuous', () => {
    expect(successes).toBeGreaterThan(0);
  });
});
