import { ArchiveError } from './errors.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type { Policy } from './vet/vet-entry.js';

export interface Progress {
  readonly entries: number;
  /** Real (decompressed) member bytes read so far. */
  readonly bytes: number;
}

export interface ScanOptions {
  /** `refuse` (default): any refusing finding refuses the archive. `skip`: hostile members are dropped. */
  readonly policy?: Policy;
  /** Overrides of DEFAULT_LIMITS; each must be a positive number. */
  readonly limits?: Partial<Limits>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
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
}

const SCAN_KEYS = ['policy', 'limits', 'signal', 'onProgress'];
const EXTRACT_KEYS = [...SCAN_KEYS, 'overwrite'];
const CLEAN_KEYS = ['limits', 'signal', 'onProgress', 'overwrite'];
const KEYS = { scan: SCAN_KEYS, extract: EXTRACT_KEYS, clean: CLEAN_KEYS };

/** Validates options once at the boundary; unknown keys are errors, not ignored. */
export function resolveOptions(options: unknown, kind: 'scan' | 'extract' | 'clean'): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const given = options as Record<string, unknown>;
  checkKeys(given, KEYS[kind], 'option');
  const { policy = kind === 'clean' ? 'skip' : 'refuse', overwrite = false, signal, onProgress } = given;
  if (policy !== 'refuse' && policy !== 'skip') fail(`policy must be 'refuse' or 'skip', not ${String(policy)}`);
  if (typeof overwrite !== 'boolean') fail('overwrite must be a boolean');
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('signal must be an AbortSignal');
  if (onProgress !== undefined && typeof onProgress !== 'function') fail('onProgress must be a function');
  return Object.freeze({
    policy,
    overwrite,
    limits: resolveLimits(given.limits),
    signal,
    onProgress: onProgress as ResolvedOptions['onProgress'],
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

function fail(message: string): never {
  throw new ArchiveError('ERR_INVALID_OPTION', message);
}
