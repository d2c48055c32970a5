import type { EntryType } from './entry.js';
import { ArchiveError } from './errors.js';
import type { FindingCode } from './finding-codes.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type { Policy } from './vet/vet-entry.js';

/**
 * How far a command is, given to `onProgress` after each member and, during a long member,
 * again after every 16 MiB of its real bytes.
 */
export interface Progress {
  /** Members seen so far, the current one included. */
  readonly entries: number;
  /** Real (decompressed) member bytes read so far. */
  readonly bytes: number;
  /**
   * Bytes of the archive itself that the walk has got through: a tar's read position (members
   * passed over count), a compressed tar's compressed bytes read, a zip up to the end of the
   * current member's stored data (a large member's share grows as its body is read).
   */
  readonly archiveBytes: number;
  /** The archive's size in bytes, for a share or an ETA; null when the source is a stream. */
  readonly archiveSize: number | null;
}

/**
 * One member, given to `onEntry` as soon as it is vetted, before its body is read: once per
 * member, in archive order. `action` is vetting's decision: `write` (extract writes it, clean
 * keeps it, scan found nothing against it), `skip` (dropped under the skip policy) or `refuse`
 * (it refuses the archive; extract and clean stop after it). Findings that come later (a
 * destination conflict at the commit, a container finding in the member's body) are in the
 * report only.
 */
export interface EntryInfo {
  /** The effective name, as the archive spells it (unescaped: escape it before printing). */
  readonly name: string;
  readonly type: EntryType;
  /** The size the header claims. */
  readonly size: number;
  /** Position among the archive's members, from 0. */
  readonly index: number;
  readonly action: 'write' | 'skip' | 'refuse';
  /** The codes of this member's findings, in the report's order; empty when there are none. */
  readonly codes: readonly FindingCode[];
}

export interface ScanOptions {
  /** `refuse` (default): any refusing finding refuses the archive. `skip`: hostile members are dropped. */
  readonly policy?: Policy;
  /** Overrides of DEFAULT_LIMITS; each must be a positive number. */
  readonly limits?: Partial<Limits>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly onEntry?: (entry: EntryInfo) => void;
}

export interface ExtractOptions extends ScanOptions {
  /** Replace files and links already in the destination (never folders). Default false. */
  readonly overwrite?: boolean;
}

/** `clean` always judges as the `skip` policy does, so it takes no `policy`. */
export interface CleanOptions extends Omit<ScanOptions, 'policy'> {
  /** Replace a file or link already at the output path (never a folder). Default false. */
  readonly overwrite?: boolean;
}

export interface ResolvedOptions {
  readonly policy: Policy;
  readonly limits: Limits;
  readonly overwrite: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: Progress) => void) | undefined;
  readonly onEntry: ((entry: EntryInfo) => void) | undefined;
}

const SCAN_KEYS = ['policy', 'limits', 'signal', 'onProgress', 'onEntry'];
const EXTRACT_KEYS = [...SCAN_KEYS, 'overwrite'];
const CLEAN_KEYS = ['limits', 'signal', 'onProgress', 'onEntry', 'overwrite'];
const KEYS = { scan: SCAN_KEYS, extract: EXTRACT_KEYS, clean: CLEAN_KEYS };

/** Validates options once at the boundary; unknown keys are errors, not ignored. */
export function resolveOptions(options: unknown, kind: 'scan' | 'extract' | 'clean'): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const given = options as Record<string, unknown>;
  checkKeys(given, KEYS[kind], 'option');
  const { policy = kind === 'clean' ? 'skip' : 'refuse', overwrite = false, signal, onProgress, onEntry } = given;
  if (policy !== 'refuse' && policy !== 'skip') fail(`policy must be 'refuse' or 'skip', not ${String(policy)}`);
  if (typeof overwrite !== 'boolean') fail('overwrite must be a boolean');
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('signal must be an AbortSignal');
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(`onProgress must be a function, not ${describe(onProgress)}`);
  if (onEntry !== undefined && typeof onEntry !== 'function') fail(`onEntry must be a function, not ${describe(onEntry)}`);
  return Object.freeze({
    policy,
    overwrite,
    limits: resolveLimits(given.limits),
    signal,
    onProgress: onProgress as ResolvedOptions['onProgress'],
    onEntry: onEntry as ResolvedOptions['onEntry'],
  });
}

function resolveLimits(limits: unknown): Limits {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (typeof limits !== 'object' || limits === null) fail('limits must be an object');
  const given = limits as Record<string, unknown>;
  checkKeys(given, Object.keys(DEFAULT_LIMITS), 'limit');
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) fail(`limits.${key} must be a positive integer`);
  }
  return Object.freeze({ ...DEFAULT_LIMITS, ...(given as Partial<Limits>) });
}

function checkKeys(given: Record<string, unknown>, known: readonly string[], what: string): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const near = known.find((name) => name.toLowerCase() === key.toLowerCase().replace(/[-_]/gu, ''));
      fail(`unknown ${what} ${JSON.stringify(key)}${near === undefined ? `; known: ${known.join(', ')}` : `; did you mean ${near}?`}`);
    }
  }
}

/** A bad value, named by its type, never printed whole (it may be large or hold a secret). */
function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function fail(message: string): never {
  throw new ArchiveError('ERR_INVALID_OPTION', message);
}
