import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveError, extract } from '../../src/index.js';
import { damageCorpus } from '../helpers/damage-corpus.js';
import { extractDamaged, useDamageSuite, type DamagedOutcome } from '../helpers/extract-damaged.js';
import { makeTar } from '../helpers/make-tar.js';
import { runBin, runCli } from '../helpers/run-cli.js';
import { stagingLeftovers } from '../helpers/staging-leftovers.js';

// Every fixture and generated tar, tar.gz and zip, cut at many points: at 512-byte block
// edges, one byte either side of some, and through the last kilobyte (where tar end markers
// and zip end records lie). A cut archive is refused (or is not an archive at all), with the
// destination as it was, no staging left, no hang and no unhandled rejection; or, where the
// cut lost only padding, it is written exactly as the whole archive is. The CLI exits 1 or 2.

const corpus = damageCorpus();
const suite = useDamageSuite();

/**
 * Where to cut: block edges (48 of them, spread over the file) and one byte either side of
 * some, every 64th byte of the last KiB and each of its last 12 bytes (tar end markers, zip
 * end records), and the first bytes (magic numbers, the first header).
 */
function cutPoints(size: number): number[] {
  const points = new Set<number>([0, 1, 2, 4, 10, 22, 100, 257, 262]);
  const blocks = Math.ceil(size / 512);
  for (let i = 0; i < 48; i++) {
    const at = Math.floor((i * blocks) / 48) * 512;
    points.add(at);
    if (i % 6 === 0) for (const delta of [-1, 1]) points.add(at + delta);
  }
  for (let at = Math.max(0, size - 1024); at < size; at += 64) points.add(at);
  for (let back = 1; back <= 12; back++) points.add(size - back);
  return [...points].filter((at) => at >= 0 && at < size).sort((a, b) => a - b);
}

describe.each(corpus.map((archive) => [archive.name, archive] as const))('%s cut short', (name, archive) => {
  const cuts = cutPoints(archive.bytes.length);
  it(`is refused or written whole at each of ${cuts.length} cut points`, async () => {
    const whole = await extractDamaged(suite.box, archive.bytes, `${name} whole`);
    const outcomes = new Map<string, number>();
    for (const at of cuts) {
      const outcome: DamagedOutcome = await extractDamaged(suite.box, archive.bytes.subarray(0, at), `${name} cut at ${at}`, { scan: at % 3 === 0 });
      // A cut loses bytes: written is right only when they were padding, so the tree is the whole archive's.
      if (outcome.written) expect(whole, `${name} cut at ${at} was written, so the whole must be`).toEqual(outcome);
      const key = outcome.written ? 'written' : outcome.code;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    if (!whole.written && whole.code === 'ERR_UNSUPPORTED_FORMAT') {
      // A codec this build cannot read (xz without its optional native module): nothing more to see.
      console.log(`${name}: ${whole.code} here, so cut copies are only checked to fail cleanly`);
      return;
    }
    // Padding (tars are padded to 10 KiB records) may be cut harmlessly; the data may not.
    expect(outcomes.get('ERR_ARCHIVE_REFUSED') ?? 0, JSON.stringify([...outcomes])).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('the CLI exits 1 or 2 on cut copies, in-process (and as the binary for every 4th archive)', async () => {
    const path = join(suite.box.root, 'cut.bin');
    // A destination that does not exist yet: a failed run must not leave it behind.
    const dest = join(suite.box.root, 'cli-dest');
    const cuts = cutPoints(archive.bytes.length).filter((_, i) => i % 7 === 3);
    for (const at of cuts) {
      writeFileSync(path, archive.bytes.subarray(0, at));
      for (const command of [
        ['extract', path, '-C', dest],
        ['scan', path],
      ]) {
        const result = await runCli(command);
        expect(stagingLeftovers(dest)).toEqual([]);
        if (result.code !== 0) {
          expect([1, 2], `${command[0]} cut at ${at}: ${result.stderr}`).toContain(result.code);
          expect(existsSync(dest), 'a failed run removes the destination it made').toBe(false);
          expect(result.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /u);
        }
        rmSync(dest, { recursive: true, force: true }); // written whole: only padding was cut (checked above)
      }
    }
    // The built binary too, for some archives (a process start each).
    if (corpus.indexOf(archive) % 4 !== 0) return;
    writeFileSync(path, archive.bytes.subarray(0, Math.floor(archive.bytes.length / 2)));
    const binary = runBin(['extract', path, '-C', dest]);
    expect([1, 2], binary.stderr).toContain(binary.code);
    expect(existsSync(dest), 'a failed run removes the destination it made').toBe(false);
    expect(binary.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /u);
  }, 120_000);
});

describe('a tar without its end-of-archive blocks', () => {
  it('is refused as truncated (MALFORMED_ARCHIVE), nothing written', async () => {
    const tar = makeTar(
      [
        { name: 'a.txt', body: 'a' },
        { name: 'b/c.txt', body: 'c' },
      ],
      { endBlocks: 0 },
    );
    const error: unknown = await extract(tar, join(suite.box.root, 'no-end')).catch((reason: unknown) => reason);
    expect((error as ArchiveError).code).toBe('ERR_ARCHIVE_REFUSED');
    expect((error as ArchiveError<{ findings: { code: string; message: string }[] }>).report!.findings).toContainEqual(
      expect.objectContaining({ code: 'MALFORMED_ARCHIVE', message: expect.stringMatching(/end-of-archive/u) }),
    );
    const outcome = await extractDamaged(suite.box, tar, 'tar without end blocks');
    expect(outcome).toEqual({ written: false, code: 'ERR_ARCHIVE_REFUSED' });
  });
});
