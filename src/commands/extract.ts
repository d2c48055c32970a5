import { ArchiveError, type ErrorCode } from '../errors.js';
import type { Finding } from '../finding-codes.js';
import { resolveOptions, type ExtractOptions, type ResolvedOptions } from '../options.js';
import type { ArchiveSource } from '../readers/open-archive.js';
import { verdictOf, type ExtractReport } from '../report.js';
import { toFinding } from '../vet/vet-entry.js';
import { StagingRoot, type Conflict } from '../write/staging-root.js';
import { vetArchive, type VetResult } from './vet-archive.js';
import { sourceName, withOpenArchive } from './with-open-archive.js';

/**
 * Extracts an archive into `destination`, all or nothing: every member is vetted and written
 * into a private staging directory, then moved into place. On a refusal (rejected with an
 * ArchiveError `ERR_ARCHIVE_REFUSED` carrying the report), an error or an abort, the
 * destination is as it was.
 */
export async function extract(source: ArchiveSource, destination: string, options?: ExtractOptions): Promise<ExtractReport> {
  const resolved = resolveOptions(options, 'extract');
  return withOpenArchive(source, resolved, async (archive) => {
    const root = await createRoot(destination);
    try {
      const written = { files: 0, directories: 0 };
      const result = await vetArchive(archive, resolved, true, async (member, verdict, body) => {
        if (member.entry.type === 'directory') {
          // NeMo's `./` names the destination itself: a no-op, not a folder written.
          if (verdict.parts.length === 0) return;
          await root.mkdir(verdict.parts);
          written.directories += 1;
        } else {
          await root.writeFile(verdict.parts, verdict.mode, body(), member.entry.mtime);
          written.files += 1;
        }
      });
      const findings = result.refused ? result.findings : [...result.findings, ...(await commit(root, resolved))];
      const report: ExtractReport = {
        archive: sourceName(source),
        format: archive.format,
        compression: archive.compression,
        model: result.model,
        entries: result.entries,
        bytes: result.bytes,
        verdict: verdictOf(findings),
        findings,
        destination: root.destination,
        written,
      };
      if (report.verdict === 'refused') throw refusal(report, result);
      await root.finish();
      return report;
    } catch (error) {
      await root.discard();
      throw asArchiveError(error);
    }
  });
}

/** Moves the staged tree into place; conflicts with what is already there become findings. */
async function commit(root: StagingRoot, options: ResolvedOptions): Promise<Finding[]> {
  const conflicts = await root.findConflicts();
  const replace = options.overwrite ? conflicts.filter((conflict) => conflict.existing !== 'directory') : [];
  const blocked = conflicts.filter((conflict) => !replace.includes(conflict));
  const action = options.policy === 'skip' ? 'skip' : 'refuse';
  const findings = blocked.map((conflict) => toFinding({ code: 'DESTINATION_CONFLICT', message: conflictMessage(conflict) }, conflict.path, action));
  if (blocked.length > 0 && action === 'refuse') return findings;
  await root.commit(replace, new Set(blocked.map((conflict) => conflict.path)));
  return findings;
}

function conflictMessage(conflict: Conflict): string {
  const what = conflict.existing === 'symlink' ? 'a symbolic link (never followed)' : `a ${conflict.existing}`;
  return `the destination already has ${what} at ${conflict.path}`;
}

async function createRoot(destination: string): Promise<StagingRoot> {
  try {
    return await StagingRoot.create(destination);
  } catch (error) {
    throw new ArchiveError('ERR_DESTINATION', `cannot use ${destination} as the destination: ${describe(error)}`, { cause: error });
  }
}

function refusal(report: ExtractReport, result: VetResult): ArchiveError<ExtractReport> {
  const first = report.findings.find((finding) => finding.action === 'refused') ?? result.findings[0];
  const what = first === undefined ? 'refused' : `${first.code}${first.member === null ? '' : ` in ${JSON.stringify(first.member)}`}: ${first.message}`;
  return new ArchiveError('ERR_ARCHIVE_REFUSED', `archive refused, nothing written (${what})`, { report });
}

/** Filesystem errors while writing, mapped to the codes callers can act on. */
function asArchiveError(error: unknown): unknown {
  if (error instanceof ArchiveError) return error;
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === undefined) return error;
  const code: ErrorCode = errno === 'ENOSPC' || errno === 'EDQUOT' ? 'ERR_DISK_FULL' : errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS' ? 'ERR_DESTINATION' : 'ERR_WRITE_FAILED';
  return new ArchiveError(code, `extraction failed, nothing written: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only filesystem',
    ENOTDIR: 'not a directory',
    EEXIST: 'already exists',
  };
  return (errno !== undefined ? text[errno] : undefined) ?? (error as Error).message;
}
