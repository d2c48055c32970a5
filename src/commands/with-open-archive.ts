import { Readable } from 'node:stream';
import type { Finding } from '../finding-codes.js';
import type { ResolvedOptions } from '../options.js';
import { verdictOf, type ScanReport } from '../report.js';
import type { VetResult } from './vet-archive.js';
import { openArchive, type ArchiveSource, type OpenedArchive } from '../readers/open-archive.js';

/** Opens the source for the length of `work`, and always closes it. */
export async function withOpenArchive<T>(source: ArchiveSource, options: ResolvedOptions, work: (archive: OpenedArchive) => Promise<T>): Promise<T> {
  const archive = await openArchive(source, options.limits);
  try {
    return await work(archive);
  } finally {
    await archive.close();
  }
}

/** How a report names its archive. */
export function sourceName(source: ArchiveSource): string {
  if (typeof source === 'string') return source;
  return source instanceof Readable ? '-' : '<buffer>';
}

/** The fields every report shares, from the walk's result and the findings that decide the verdict. */
export function reportOf(source: ArchiveSource, archive: OpenedArchive, result: VetResult, findings: readonly Finding[]): ScanReport {
  return {
    archive: sourceName(source),
    format: archive.format,
    compression: archive.compression,
    model: result.model,
    entries: result.entries,
    bytes: result.bytes,
    verdict: verdictOf(findings),
    findings,
  };
}
