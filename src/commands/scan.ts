import { resolveOptions, type ScanOptions } from '../options.js';
import type { ArchiveSource } from '../readers/open-archive.js';
import type { ScanReport } from '../report.js';
import { reportOf, withOpenArchive } from './with-open-archive.js';
import { vetArchive } from './vet-archive.js';

/**
 * Reports every finding in an archive without writing anything. A compressed tar is read
 * once (its bytes are counted against the limits); an uncompressed tar is walked header to
 * header and a zip by its directory and local headers, so their member data is not read.
 */
export async function scan(source: ArchiveSource, options?: ScanOptions): Promise<ScanReport> {
  const resolved = resolveOptions(options, 'scan');
  return withOpenArchive(source, resolved, async (archive) => {
    const result = await vetArchive(archive, resolved, false, async () => undefined);
    return reportOf(source, archive, result, result.findings);
  });
}
