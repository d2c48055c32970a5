import type { Compression } from './detect/detect-format.js';
import type { ModelKind } from './detect/detect-model.js';
import type { Finding } from './finding-codes.js';

/** `accepted`: nothing refused or dropped. `skipped`: the skip policy dropped members. `refused`: nothing written. */
export type Verdict = 'accepted' | 'skipped' | 'refused';

/** What scan reports, and the base of the extract report. Printed as-is by `--json`. */
export interface ScanReport {
  readonly archive: string;
  readonly format: 'tar' | 'zip' | null;
  /** How a tar is compressed; null for a plain tar, a zip, or an archive refused before its format was settled. */
  readonly compression: Compression | null;
  readonly model: ModelKind | null;
  /** Members seen (directories included, PAX and GNU meta headers not). */
  readonly entries: number;
  /** Real member bytes read; for scan of an uncompressed tar or a zip, the sizes members declare. */
  readonly bytes: number;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
}

export interface ExtractReport extends ScanReport {
  readonly destination: string;
  /** Files and folders moved into the destination. */
  readonly written: { readonly files: number; readonly directories: number };
}

export interface CleanReport extends ScanReport {
  /** The cleaned archive's path; null when the archive was refused and nothing was written. */
  readonly output: string | null;
  /** Members dropped from the output, each listed in `findings` with action `skipped`. */
  readonly removed: number;
}

/** The verdict that the findings and the policy's choices add up to. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((finding) => finding.action === 'refused')) return 'refused';
  return findings.some((finding) => finding.action === 'skipped') ? 'skipped' : 'accepted';
}
