import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { ArchiveError, extract, scan, type ExtractOptions, type ExtractReport, type FindingCode } from '../../src/index.js';
import { listTree, makeSandbox, type Sandbox } from './sandbox.js';

/**
 * Assertions shared by the end-to-end security tests: every refused archive is checked the
 * same way (the error, the finding, nothing changed on disk), and every accepted one is
 * compared byte for byte with what the archive holds.
 */

/** A fresh sandbox for each test of the calling file, removed afterwards. */
export function useSandbox(): () => Sandbox {
  let current: Sandbox | null = null;
  beforeEach(() => {
    current = makeSandbox();
  });
  afterEach(() => {
    current?.cleanup();
    current = null;
  });
  return () => {
    if (current === null) throw new Error('useSandbox() getter called outside a test');
    return current;
  };
}

export interface Refusal {
  /** The finding that must refuse the archive. */
  readonly code: FindingCode;
  /** Its member; `null` for findings about the whole archive. Omit to accept any member. */
  readonly member?: string | null;
  /**
   * Every code that refuses, when the test pins them all (defaults to just `code`). A name
   * such as `..\x` breaks two rules at once, and the test says which.
   */
  readonly codes?: readonly FindingCode[];
  /** What the finding's message must say, where the code alone does not pin the reason. */
  readonly message?: RegExp;
  /** Also check `scan` reports the same refusal (default true; scan does not read zip bodies). */
  readonly scan?: boolean;
}

/**
 * Extracts `archive` into the sandbox's destination and checks it was refused as stated:
 * the promise rejects with ERR_ARCHIVE_REFUSED, the report names the finding, and the whole
 * sandbox (destination and the victim folder beside it) is exactly as it was.
 */
export async function expectRefused(sandbox: Sandbox, archive: Buffer | string, refusal: Refusal, options: ExtractOptions = {}): Promise<ExtractReport> {
  const before = sandbox.snapshot();
  const error = await extract(archive, sandbox.dest, options).then(
    (report) => report,
    (reason: unknown) => reason,
  );
  expect(error, 'extract must reject').toBeInstanceOf(ArchiveError);
  const archiveError = error as ArchiveError<ExtractReport>;
  expect(archiveError.code).toBe('ERR_ARCHIVE_REFUSED');
  const report = archiveError.report!;
  expect(report.verdict).toBe('refused');
  expectFinding(report.findings, refusal);
  expect(sandbox.snapshot(), 'the sandbox must be unchanged').toEqual(before);

  if (refusal.scan !== false) {
    const { overwrite: _overwrite, ...scanOptions } = options;
    const scanned = await scan(archive, scanOptions);
    expect(scanned.verdict).toBe('refused');
    expect(scanned.findings.filter((finding) => finding.action === 'refused').map((finding) => finding.code)).toContain(refusal.code);
  }
  return report;
}

function expectFinding(findings: ExtractReport['findings'], refusal: Refusal): void {
  const refusing = findings.filter((finding) => finding.action === 'refused');
  const wanted = refusal.member === undefined ? { code: refusal.code } : { code: refusal.code, member: refusal.member };
  const message = refusal.message === undefined ? {} : { message: expect.stringMatching(refusal.message) };
  expect(refusing).toContainEqual(expect.objectContaining({ ...wanted, ...message, action: 'refused' }));
  expect([...new Set(refusing.map((finding) => finding.code))].sort()).toEqual([...new Set(refusal.codes ?? [refusal.code])].sort());
}

/** What a test expects on disk: file contents, or `null` for a folder. */
export type Tree = Readonly<Record<string, string | Buffer | null>>;

/**
 * Extracts and checks the archive was accepted, and that the destination holds exactly
 * `tree`: the same paths, and every file byte for byte.
 */
export async function expectExtracted(sandbox: Sandbox, archive: Buffer | string, tree: Tree, options: ExtractOptions = {}): Promise<ExtractReport> {
  const report = await extract(archive, sandbox.dest, options);
  expect(report.verdict).toBe('accepted');
  expect(report.findings.filter((finding) => finding.action !== 'sanitized')).toEqual([]);
  expectTree(sandbox.dest, tree);
  return report;
}

/** The destination holds exactly `tree`, byte for byte. */
export function expectTree(dir: string, tree: Tree): void {
  const wanted = Object.entries(tree).map(([path, body]) => (body === null ? `${path}/` : path));
  expect(listTree(dir).sort()).toEqual(wanted.sort());
  for (const [path, body] of Object.entries(tree)) {
    if (body === null) continue;
    const expected = typeof body === 'string' ? Buffer.from(body) : body;
    expect(sha256(readFileSync(join(dir, path))), `content of ${path}`).toBe(sha256(expected));
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
