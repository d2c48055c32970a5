/**
 * Every finding code, its severity and whether it refuses. Public and stable:
 * README.md documents this table and test/finding-codes.test.ts keeps the two in sync.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface FindingCodeInfo {
  readonly severity: Severity;
  /** A refusing finding stops the archive under `refuse` and drops the member under `skip`. */
  readonly refuses: boolean;
  /** Container findings describe the whole archive: they refuse under every policy. */
  readonly container: boolean;
  readonly summary: string;
}

export const FINDING_CODES = Object.freeze({
  PARENT_TRAVERSAL: info('critical', true, false, 'a `..` path component'),
  ABSOLUTE_PATH: info('critical', true, false, 'an absolute or UNC path'),
  DRIVE_PATH: info('critical', true, false, 'a Windows drive letter (`C:`)'),
  BACKSLASH: info('high', true, false, 'a backslash, a path separator on Windows'),
  HOME_EXPANSION: info('high', true, false, 'a first component `~` or `~user`'),
  ENV_EXPANSION: info('high', true, false, 'a component starting `$NAME`, `${NAME}` or `%NAME%`'),
  SYMLINK: info('critical', true, false, 'a symbolic link'),
  HARDLINK: info('critical', true, false, 'a hard link'),
  SPECIAL_FILE: info('high', true, false, 'a device, FIFO, socket or unknown member type'),
  UNSAFE_NAME: info('high', true, false, 'a name no filesystem stores faithfully'),
  DUPLICATE_ENTRY: info('high', true, false, 'the same name twice'),
  NAME_COLLISION: info('high', true, false, 'two names one filesystem would treat as one'),
  UNSAFE_MODE: info('low', false, false, 'setuid, setgid, sticky or group/other write bits (sanitized)'),
  LIMIT_EXCEEDED: info('high', true, true, 'a size, count, ratio, depth or name-length limit'),
  MALFORMED_ARCHIVE: info('high', true, true, 'a corrupt, truncated or self-contradicting archive'),
  AMBIGUOUS_FORMAT: info('high', true, true, 'a file other readers would read as a different archive'),
  DESTINATION_CONFLICT: info('high', true, false, 'a path that already exists in the destination'),
} as const satisfies Record<string, FindingCodeInfo>);

export type FindingCode = keyof typeof FINDING_CODES;

/** What happened to the member: refused the archive, was dropped, or was written with repairs. */
export type FindingAction = 'refused' | 'skipped' | 'sanitized';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The member's effective name as in the archive (raw; escape before printing). */
  readonly member: string | null;
  readonly action: FindingAction;
  readonly message: string;
}

function info(severity: Severity, refuses: boolean, container: boolean, summary: string): FindingCodeInfo {
  return Object.freeze({ severity, refuses, container, summary });
}
