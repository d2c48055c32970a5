import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run bench` at toy size, as a smoke test of the harness only: it must run every case
// end to end and print its table. Timings at 16 MiB on a shared test machine mean nothing,
// so nothing here looks at a number.
const SCRIPT = fileURLToPath(new URL('../scripts/bench.mjs', import.meta.url));
const CASES = ['nemo-tar', 'torch-zip', 'small-tar', 'small-zip', 'nemo-tar-gz', 'scan-tar'];
// Its own fixture cache, so it never touches (or races on) .bench-cache/ of a real run.
const cache = mkdtempSync(join(tmpdir(), 'slipguard-bench-smoke-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('npm run bench (smoke, --size 16M --runs 1)', () => {
  it('generates its fixtures, runs every case and prints the table', () => {
    const args = [SCRIPT, '--size', '16M', '--runs', '1', '--warmup', '0', '--small-files', '1000', '--only', CASES.join(','), '--cache-dir', cache];
    // The timeout only stops a hung run; it is not a performance assertion.
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });
    const shown = `exit ${result.status} ${result.signal ?? ''}\n${result.stdout}\n--- stderr (tail)\n${result.stderr.slice(-3000)}`;
    expect(result.status, shown).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^- machine: \d+ cores \(nproc\), /mu);
    expect(out).toMatch(/^- node v\d+\./mu);
    expect(out).toMatch(/^\| case +\| tool +\| median s +\| min s +\| max s +\| cpu s +\| peak RSS MiB +\| slipguard \/ tool +\| target +\| met +\|$/mu);
    const rows = out.split('\n').filter((line) => line.startsWith('| '));
    const caseRows = new Map<string, string[]>();
    let current = '';
    for (const row of rows.slice(1)) {
      const cells = row.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/gu, '').trim());
      if (cells[0] !== '') current = cells[0]!.split(' ')[0]!;
      caseRows.set(current, [...(caseRows.get(current) ?? []), cells[1]!.split(' ')[0]!]);
    }
    expect(caseRows).toEqual(
      new Map([
        ['nemo-tar', ['slipguard', 'gnu-tar', 'node-tar', 'cat']],
        ['torch-zip', ['slipguard', 'unzip', 'yauzl', 'extract-zip', 'cat']],
        ['small-tar', ['slipguard', 'slipguard-unvetted', 'gnu-tar', 'node-tar', 'cat']],
        ['small-zip', ['slipguard', 'slipguard-unvetted', 'unzip', 'yauzl', 'extract-zip', 'cat']],
        ['nemo-tar-gz', ['slipguard', 'gnu-tar-z', 'node-tar', 'node-gunzip', 'cat']],
        ['scan-tar', ['slipguard-scan', 'scan-4-members']],
      ]),
    );
    for (const row of rows.slice(1)) {
      // every measured row has a median; only a tool that is not installed may be skipped
      expect(row, row).toMatch(/\| (\d+\.\d\d|skipped) +\|/u);
    }
    expect(out).toContain('Targets (design §8):');
    for (const name of CASES) expect(out).toMatch(new RegExp(`^- ${name}: slipguard`, 'mu'));
    for (const name of ['small-tar', 'small-zip']) {
      expect(out).toMatch(new RegExp(`^- ${name}: slipguard/slipguard-unvetted = [\\d.]+x, target <= 1.05x: (met|NOT MET)$`, 'mu'));
      expect(out).toMatch(
        new RegExp(
          `^- ${name}: vetEntry over 1200 entries takes [\\d.]+ ms on its first pass \\([\\d.]+% of the [\\d.]+ s extraction\\), [\\d.]+ ms warm`,
          'mu',
        ),
      );
    }
  }, 180_000);
});
