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
  /** What the finding means for a reader and what to do about it (SARIF `help`). */
  readonly help: string;
}

export const FINDING_CODES = Object.freeze({
  PARENT_TRAVERSAL: info(
    'critical',
    true,
    false,
    'a `..` path component',
    'A `..` component walks up from the destination; extractors that resolve it write outside the folder (Zip Slip, CWE-22). Do not load this archive; rebuild it from the original files.',
  ),
  ABSOLUTE_PATH: info(
    'critical',
    true,
    false,
    'an absolute or UNC path',
    'An absolute or UNC name ignores the destination and writes wherever it points. Do not load this archive.',
  ),
  DRIVE_PATH: info(
    'critical',
    true,
    false,
    'a Windows drive letter (`C:`)',
    'A drive letter makes Windows resolve the name against another drive or its current folder there. Do not load this archive.',
  ),
  BACKSLASH: info(
    'high',
    true,
    false,
    'a backslash, a path separator on Windows',
    'Windows treats `\\` as a separator, so `..\\x` escapes there even though it is one name on Linux. Rename the member with `/` separators.',
  ),
  HOME_EXPANSION: info(
    'high',
    true,
    false,
    'a first component `~` or `~user`',
    'Loaders that pass names to a shell or expanduser resolve `~` to a home folder. Rename the member.',
  ),
  ENV_EXPANSION: info(
    'high',
    true,
    false,
    'a component starting `$NAME`, `${NAME}` or `%NAME%`',
    'Loaders that expand variables resolve `$NAME` or `%NAME%` to another folder. Rename the member.',
  ),
  SYMLINK: info(
    'critical',
    true,
    false,
    'a symbolic link',
    'A link lets later members, or the program that loads the model, read or write where it points. slipguard never writes links; replace the link with the file it names.',
  ),
  HARDLINK: info(
    'critical',
    true,
    false,
    'a hard link',
    'A hard link can make a member share the inode of a file outside the destination. Replace it with a copy of the file.',
  ),
  SPECIAL_FILE: info(
    'high',
    true,
    false,
    'a device, FIFO, socket or unknown member type',
    'Devices, FIFOs, sockets and sparse or unknown member types have no place in a model file and behave differently per extractor. Remove the member.',
  ),
  UNSAFE_NAME: info(
    'high',
    true,
    false,
    'a name no filesystem stores faithfully',
    'The name contains characters or forms some filesystems store under another name or refuse (controls, bidi overrides, `:`, device names, trailing dots). Rename the member.',
  ),
  DUPLICATE_ENTRY: info(
    'high',
    true,
    false,
    'the same name twice',
    'Readers disagree on which copy of a duplicated name wins, so the content you reviewed may not be the content loaded. Keep one copy.',
  ),
  NAME_COLLISION: info(
    'high',
    true,
    false,
    'two names one filesystem would treat as one',
    'On case-insensitive or normalising filesystems (macOS, Windows) the two names are one path, so one member replaces the other. Rename one of them.',
  ),
  UNSAFE_MODE: info(
    'low',
    false,
    false,
    'setuid, setgid, sticky or group/other write bits (sanitized)',
    'setuid, setgid, sticky or group/other-writable bits were dropped: files are written 0644 (0755 when executable), folders 0755. No action needed.',
  ),
  LIMIT_EXCEEDED: info(
    'high',
    true,
    true,
    'a size, count, ratio, depth or name-length limit',
    'The archive is larger, deeper or more compressed than the limits allow (a decompression bomb, or a model beyond the defaults). Raise the limit only for archives you trust.',
  ),
  MALFORMED_ARCHIVE: info(
    'high',
    true,
    true,
    'a corrupt, truncated or self-contradicting archive',
    'The archive is corrupt, truncated or says two different things, so different tools would extract different files. Re-download it or rebuild it.',
  ),
  AMBIGUOUS_FORMAT: info(
    'high',
    true,
    true,
    'a file other readers would read as a different archive',
    'The file is also readable as another archive (for example a zip appended to a tar), so what unzip or Python extract is not what tar extracts. Rebuild it as one archive.',
  ),
  DESTINATION_CONFLICT: info(
    'high',
    true,
    false,
    'a path that already exists in the destination',
    'Extraction would replace a path already in the destination, possibly a link that points elsewhere. Extract into an empty folder, or use --overwrite.',
  ),
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

function info(severity: Severity, refuses: boolean, container: boolean, summary: string, help: string): FindingCodeInfo {
  return Object.freeze({ severity, refuses, container, summary, help });
}
