/**
 * Operational errors: the library could not do what was asked. Each has a
 * stable `code`, documented in README.md and kept in sync by a test.
 * A refused archive is also an ArchiveError (`ERR_ARCHIVE_REFUSED`) carrying its report.
 */
export const ERROR_CODES = Object.freeze({
  ERR_ARCHIVE_REFUSED: 'the archive had findings that refuse it; nothing was written',
  ERR_INVALID_OPTION: 'an option is unknown or has a bad value',
  ERR_SOURCE_UNREADABLE: 'the archive could not be opened or read',
  ERR_NOT_AN_ARCHIVE: 'the bytes are not a tar, a compressed tar (gzip, bzip2, xz, zstd) or a zip archive',
  ERR_UNSUPPORTED_FORMAT: 'a recognised format that cannot be read here (xz without node-liblzma; clean of bzip2, xz or zstd)',
  ERR_DESTINATION: 'the destination cannot be created or written (not a directory, no permission, read-only)',
  ERR_DISK_FULL: 'the destination filesystem ran out of space or quota',
  ERR_WRITE_FAILED: 'writing the staging directory or committing it failed',
  ERR_ABORTED: 'the operation was aborted by its AbortSignal',
  ERR_NOT_A_NEMO: 'extractNemo was given an archive that is not a NeMo model (no model_config.yaml at the root of a tar)',
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

export class ArchiveError<R = unknown> extends Error {
  readonly code: ErrorCode;
  /** The report of the run so far, where there is one (always for ERR_ARCHIVE_REFUSED). */
  readonly report: R | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; report?: R } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArchiveError';
    this.code = code;
    this.report = options.report;
  }
}

export function isArchiveError(value: unknown): value is ArchiveError {
  return value instanceof ArchiveError;
}
