import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveError, isArchiveError, type ErrorCode } from '../errors.js';
import type { ScanOptions } from '../options.js';
import type { ScanReport } from '../report.js';
import { scan } from './scan.js';

/** An archive that could not be scanned at all. */
export interface ScanFailure {
  readonly archive: string;
  readonly error: { readonly code: ErrorCode | 'ERR_INTERNAL'; readonly message: string };
}

export interface TreeScan {
  readonly reports: (ScanReport | ScanFailure)[];
  readonly summary: {
    readonly archives: number;
    readonly accepted: number;
    readonly skipped: number;
    readonly refused: number;
    readonly failed: number;
    /** Files under the folders given that are not archives (judged by their bytes). */
    readonly notArchives: number;
  };
}

/** Archives scanned at once: each holds a file open and a reader's buffers. */
const POOL = 4;

/**
 * Scans every path given: files as archives, folders walked recursively (links not followed)
 * for files whose bytes are an archive, whatever their names. Reports keep the order of the
 * walk, whatever order the pool finishes in.
 */
export async function scanTree(paths: readonly string[], options: ScanOptions = {}): Promise<TreeScan> {
  const jobs: { path: string; named: boolean }[] = [];
  for (const path of paths) {
    if ((await kind(path)) === 'directory') for (const file of await filesUnder(path)) jobs.push({ path: file, named: false });
    else jobs.push({ path, named: true });
  }
  const results = new Array<ScanReport | ScanFailure | null>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await scanOne(jobs[index]!.path, jobs[index]!.named, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(POOL, jobs.length) }, worker));
  const reports = results.filter((result): result is ScanReport | ScanFailure => result !== null);
  const count = (verdict: string): number => reports.filter((report) => 'verdict' in report && report.verdict === verdict).length;
  return {
    reports,
    summary: {
      archives: reports.length,
      accepted: count('accepted'),
      skipped: count('skipped'),
      refused: count('refused'),
      failed: reports.filter((report) => 'error' in report).length,
      notArchives: jobs.length - reports.length,
    },
  };
}

/** A report, a failure, or null for a file found in a folder that is not an archive. */
async function scanOne(path: string, named: boolean, options: ScanOptions): Promise<ScanReport | ScanFailure | null> {
  try {
    return await scan(path, options);
  } catch (error) {
    if (!named && isArchiveError(error) && error.code === 'ERR_NOT_AN_ARCHIVE') return null;
    if (isArchiveError(error) && error.code === 'ERR_INVALID_OPTION') throw error;
    return { archive: path, error: { code: isArchiveError(error) ? error.code : 'ERR_INTERNAL', message: (error as Error).message } };
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new ArchiveError('ERR_SOURCE_UNREADABLE', `cannot read folder ${dir}: ${(error as Error).message}`, { cause: error });
  });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

async function kind(path: string): Promise<'directory' | 'other'> {
  try {
    return (await lstat(path)).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'other'; // scan reports the missing file as a failure with its code
  }
}
