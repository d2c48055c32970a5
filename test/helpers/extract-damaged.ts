import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ArchiveError, extract, scan, type ErrorCode } from '../../src/index.js';
import { makeSandbox, snapshotTree, type Sandbox } from './sandbox.js';
import { stagingLeftovers } from './staging-leftovers.js';
import { withTimeout } from './with-timeout.js';

/** What a damaged archive may end in, other than being written: refused, or not an archive at all. */
export const DAMAGE_CODES: readonly ErrorCode[] = ['ERR_ARCHIVE_REFUSED', 'ERR_NOT_AN_ARCHIVE', 'ERR_UNSUPPORTED_FORMAT'];
const CASE_MS = 10_000;

export type DamagedOutcome = { readonly written: true; readonly tree: Map<string, string> } | { readonly written: false; readonly code: ErrorCode };

let count = 0;

/**
 * Extracts `bytes` into a fresh destination in the sandbox (holding one file already), and
 * checks what holds for any input, however damaged: it settles in time; it is written or
 * rejected with an ArchiveError of DAMAGE_CODES, never anything else; nothing outside the
 * destination changes; a rejection leaves the whole sandbox as it was; no staging folder
 * stays. `scan` settles the same way (unless `scan: false`). Returns the outcome, with the tree written if any.
 */
export async function extractDamaged(box: Sandbox, bytes: Buffer, label: string, options: { scan?: boolean } = {}): Promise<DamagedOutcome> {
  const name = `dest-${count++}`;
  const dest = join(box.root, name);
  mkdirSync(dest);
  writeFileSync(join(dest, 'kept.txt'), 'here before\n');
  try {
    const before = box.snapshot();
    const settled = await withTimeout(
      extract(bytes, dest).then(
        () => null,
        (error: unknown) => error,
      ),
      CASE_MS,
      `extract of ${label}`,
    );
    const after = box.snapshot();
    expect(stagingLeftovers(dest), label).toEqual([]);
    const outside = (snapshot: Map<string, string>): Map<string, string> =>
      new Map([...snapshot].filter(([path]) => path !== name && !path.startsWith(`${name}/`)));
    expect(outside(after), `${label}: nothing outside the destination changes`).toEqual(outside(before));
    if (options.scan !== false) {
      const scanned = await withTimeout(
        scan(bytes).then(
          () => null,
          (error: unknown) => error,
        ),
        CASE_MS,
        `scan of ${label}`,
      );
      if (scanned !== null) expectDamageError(scanned, `scan of ${label}`);
    }
    if (settled === null) {
      const tree = snapshotTree(dest);
      tree.delete('kept.txt');
      return { written: true, tree };
    }
    expectDamageError(settled, label);
    expect(after, `${label}: a rejected archive changes nothing`).toEqual(before);
    return { written: false, code: (settled as ArchiveError).code };
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

function expectDamageError(error: unknown, label: string): void {
  if (!(error instanceof ArchiveError)) throw new Error(`${label}: rejected with something other than an ArchiveError`, { cause: error });
  expect(DAMAGE_CODES, `${label}: ${error.message}`).toContain(error.code);
}

/** Collects unhandled rejections while installed; `stop` removes the listener and returns them. */
export function trackUnhandledRejections(): () => unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return () => {
    process.off('unhandledRejection', listener);
    return seen;
  };
}

/** One sandbox for a suite of damaged archives, and a check that the whole suite left no unhandled rejection. */
export function useDamageSuite(): { readonly box: Sandbox } {
  const suite = {} as { box: Sandbox };
  let stopTracking: () => unknown[];
  beforeAll(() => {
    suite.box = makeSandbox();
    stopTracking = trackUnhandledRejections();
  });
  afterAll(() => {
    suite.box.cleanup();
    expect(stopTracking(), 'unhandled rejections').toEqual([]);
  });
  return suite;
}
