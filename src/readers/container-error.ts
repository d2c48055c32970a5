import type { FindingCode } from '../finding-codes.js';

/**
 * A problem with the archive as a whole (corrupt, truncated, ambiguous, over a limit while
 * streaming). Readers throw it; commands turn it into a finding that refuses the archive.
 */
export class ContainerError extends Error {
  readonly code: FindingCode;
  /** The member being read when it happened, if any. */
  readonly member: string | null;

  constructor(code: 'MALFORMED_ARCHIVE' | 'AMBIGUOUS_FORMAT' | 'LIMIT_EXCEEDED', message: string, member: string | null = null) {
    super(message);
    this.name = 'ContainerError';
    this.code = code;
    this.member = member;
  }
}

export function malformed(message: string, member: string | null = null): ContainerError {
  return new ContainerError('MALFORMED_ARCHIVE', message, member);
}
