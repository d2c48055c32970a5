import fc from 'fast-check';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damageCorpus } from '../helpers/damage-corpus.js';
import { extractDamaged, useDamageSuite } from '../helpers/extract-damaged.js';
import { fuzzSettings } from '../helpers/fuzz-settings.js';
import { runCli } from '../helpers/run-cli.js';
import { stagingLeftovers } from '../helpers/staging-leftovers.js';

// Every fixture and generated tar, tar.gz and zip with a few bytes changed, mostly where the
// structure is (the first header, block edges, the last kilobyte where end markers and zip
// directories lie). A tar has no checksum over its data, so a changed byte there is written as
// it is; anything else is refused or not an archive. Never a crash, a hang or an unhandled
// rejection; nothing outside the destination changes; a refusal changes nothing at all; no
// staging stays; the CLI exits 0, 1 or 2, never with ERR_INTERNAL or a stack trace.

const corpus = damageCorpus();
const suite = useDamageSuite();

interface Flip {
  readonly at: number;
  readonly value: number;
}

/** Offsets biased towards structure; new values that are random, or bytes that headers care about. */
function flips(size: number): fc.Arbitrary<Flip[]> {
  const last = size - 1;
  const offset = fc.oneof(
    fc.integer({ min: 0, max: last }),
    fc.integer({ min: 0, max: Math.min(last, 1023) }),
    fc.integer({ min: Math.max(0, size - 1024), max: last }),
    fc
      .tuple(fc.integer({ min: 0, max: Math.floor(last / 512) }), fc.integer({ min: 0, max: 511 }))
      .map(([block, at]) => Math.min(last, block * 512 + (at % 160))),
  );
  const value = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0xff, 0x80, 0x2f, 0x2e, 0x30, 0x37, 0x20, 0x35, 0x32));
  return fc.array(fc.record({ at: offset, value }), { minLength: 1, maxLength: 4 });
}

function damaged(bytes: Buffer, changes: readonly Flip[]): Buffer {
  const copy = Buffer.from(bytes);
  for (const { at, value } of changes) copy[at] = value === copy[at] ? value ^ 0xff : value;
  return copy;
}

describe.each(corpus.map((archive) => [archive.name, archive] as const))('%s with bytes changed', (name, archive) => {
  const settings = fuzzSettings(40, { costly: 50, msPerCase: 200 });
  it(
    `is written or refused cleanly (${settings.runs} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(flips(archive.bytes.length), async (changes) => {
          await extractDamaged(suite.box, damaged(archive.bytes, changes), `${name} with ${JSON.stringify(changes)}`, { scan: changes.length % 2 === 0 });
        }),
        settings.parameters,
      );
    },
    settings.timeout,
  );

  it('the CLI exits 0, 1 or 2 on damaged copies, never with an internal error', async () => {
    const path = join(suite.box.root, 'damaged.bin');
    const dest = join(suite.box.root, 'cli-dest');
    for (const changes of fc.sample(flips(archive.bytes.length), { numRuns: 6, seed: 7 })) {
      writeFileSync(path, damaged(archive.bytes, changes));
      for (const command of [
        ['extract', path, '-C', dest],
        ['scan', path, '--json'],
      ]) {
        const result = await runCli(command);
        expect([0, 1, 2], `${command[0]} of ${name} with ${JSON.stringify(changes)}: ${result.stderr}`).toContain(result.code);
        expect(result.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /u);
        expect(stagingLeftovers(dest)).toEqual([]);
        if (command[0] === 'extract' && result.code !== 0) expect(existsSync(dest), 'a failed run removes the destination it made').toBe(false);
        rmSync(dest, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
