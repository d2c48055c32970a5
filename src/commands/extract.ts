import type { ModelKind } from '../detect/detect-model.js';
import { ArchiveError, type ErrorCode } from '../errors.js';
import type { Finding } from '../finding-codes.js';
import { resolveOptions, type ExtractOptions, type ResolvedOptions } from '../options.js';
import type { ArchiveSource } from '../readers/open-archive.js';
import type { ExtractReport } from '../report.js';
import { toFinding } from '../vet/vet-entry.js';
import { StagingRoot, type Conflict } from '../write/staging-root.js';
import { vetArchive, type VetResult } from './vet-archive.js';
import { reportOf, withOpenArchive } from './with-open-archive.js';

/**
 * Extracts an archive into `destination`, all or nothing: every member is vetted and written
 * into a private staging directory, then moved into place. On a refusal (rejected with an
 * ArchiveError `ERR_ARCHIVE_REFUSED` carrying the report), an error or an abort, the
 * destination is as it was.
 */
export async function extract(source: ArchiveSource, destination: string, options?: ExtractOptions): Promise<ExtractReport> {
  return extractObserved(source, destination, options, null);
}

/** What a command built on extract (extractNemo) learns while the archive is extracted. */
export interface ExtractObserver {
  /** A member staged for writing, by its path components under the destination. */
  written(parts: readonly string[], type: 'file' | 'directory'): void;
  /** Every member is staged and none refused; nothing is in place yet. Throwing refuses the whole run. */
  beforeCommit(model: ModelKind | null): void;
}

/** {@link extract}, telling `observer` what it writes, and letting it refuse before the commit. */
export async function extractObserved(
  source: ArchiveSource,
  destination: string,
  options: ExtractOptions | undefined,
  observer: ExtractObserver | null,
): Promise<ExtractReport> {
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
          await root.writeFile(verdict.parts, verdict.mode, body.now() ?? body.chunks(), member.entry.mtime, member.entry.size);
          written.files += 1;
        }
        observer?.written(verdict.parts, member.entry.type === 'directory' ? 'directory' : 'file');
      });
      if (!result.refused) observer?.beforeCommit(result.model);
      const findings = result.refused ? result.findings : [...result.findings, ...(await commit(root, resolved))];
      const report: ExtractReport = {
        ...reportOf(source, archive, result, findings),
        destination: root.destination,
        written,
      };
      if (report.verdict === 'refused') throw refusal(report, result);
      await root.finish();
      return report;
    } catch (error) {
      // The first error is the one to report; a staging folder that cannot be removed now is
      // removed by a later run into this destination once this process is gone.
      await root.discard().catch(() => undefined);
      throw asArchiveError(error, resolved.signal);
    }
  });
}

/** Moves the staged tree into place; conflicts with what is already there become findings. */
async function commit(root: StagingRoot, options: ResolvedOptions): Promise<Finding[]> {
  // An abort that comes after the last member still stops the run before anything takes its final name.
  if (options.signal?.aborted === true) throw new ArchiveError('ERR_ABORTED', 'aborted', { cause: options.signal.reason });
  for (let attempt = 1; ; attempt++) {
    const conflicts = await root.findConflicts();
    const replace = options.overwrite ? conflicts.filter((conflict) => conflict.existing !== 'directory') : [];
    const blocked = conflicts.filter((conflict) => !replace.includes(conflict));
    const action = options.policy === 'skip' ? 'skip' : 'refuse';
    const findings = blocked.map((conflict) => toFinding({ code: 'DESTINATION_CONFLICT', message: conflictMessage(conflict) }, conflict.path, action));
    if (blocked.length > 0 && action === 'refuse') return findings;
    try {
      await root.commit(replace, new Set(blocked.map((conflict) => conflict.path)));
      return findings;
    } catch (error) {
      // A name taken since the check (another run into this destination): the commit was undone;
      // check again, so what is there now is reported as a conflict, not as a failed write.
      if (attempt >= COMMIT_ATTEMPTS || !TAKEN_MEANWHILE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
}

/** How often a commit is planned again when a name is taken between the check and the move. */
const COMMIT_ATTEMPTS = 5;
const TAKEN_MEANWHILE: ReadonlySet<string> = new Set(['EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'ELOOP', 'ENOENT']);

function conflictMessage(conflict: Conflict): string {
  const what = conflict.existing === 'symlink' ? 'a symbolic link (never followed)' : `a ${conflict.existing}`;
  return `the destination already has ${what} at ${conflict.path}`;
}

async function createRoot(destination: string): Promise<StagingRoot> {
  try {
    return await StagingRoot.create(destination);
  } catch (error) {
    // A full disk (no room even for the staging folder) is said as such, not as a bad destination.
    const code: ErrorCode = isDiskFull(error) ? 'ERR_DISK_FULL' : 'ERR_DESTINATION';
    throw new ArchiveError(code, `cannot use ${destination} as the destination: ${describe(error)}`, { cause: error });
  }
}

function refusal(report: ExtractReport, result: VetResult): ArchiveError<ExtractReport> {
  const first = report.findings.find((finding) => finding.action === 'refused') ?? result.findings[0];
  const what = first === undefined ? 'refused' : `${first.code}${first.member === null ? '' : ` in ${JSON.stringify(first.member)}`}: ${first.message}`;
  return new ArchiveError('ERR_ARCHIVE_REFUSED', `archive refused, nothing written (${what})`, { report });
}

/** Filesystem errors while writing, mapped to the codes callers can act on; an abort says why, and that nothing was written. */
function asArchiveError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof ArchiveError && error.code === 'ERR_ABORTED') {
    const why = signal?.reason instanceof Error && signal.reason.name !== 'AbortError' ? ` (${signal.reason.message})` : '';
    return new ArchiveError('ERR_ABORTED', `extraction aborted${why}, nothing written`, { cause: error });
  }
  if (error instanceof ArchiveError) return error;
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === undefined) return error;
  const code: ErrorCode = isDiskFull(error)
    ? 'ERR_DISK_FULL'
    : errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS'
      ? 'ERR_DESTINATION'
      : 'ERR_WRITE_FAILED';
  return new ArchiveError(code, `extraction failed, nothing written: ${describe(error)}`, { cause: error });
}

function isDiskFull(error: unknown): boolean {
  const errno = (error as NodeJS.ErrnoException).code;
  return errno === 'ENOSPC' || errno === 'EDQUOT';
}

function describe(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    ENOSPC: 'the disk is full (no space left on the device)',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only filesystem',
    ENOTDIR: 'not a directory',
    EEXIST: 'already exists',
  };
  return (errno !== undefined ? text[errno] : undefined) ?? (error as Error).message;
}
