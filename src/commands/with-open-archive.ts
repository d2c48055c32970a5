import { Readable } from 'node:stream';
import type { ResolvedOptions } from '../options.js';
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
