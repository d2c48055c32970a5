/** Limits that are on by default. Every one counts real bytes, never header claims. */
export interface Limits {
  /** Total decompressed bytes of all members. */
  readonly maxSize: number;
  /** Number of members (directories included). */
  readonly maxEntries: number;
  /** Decompressed bytes of one member. */
  readonly maxFileSize: number;
  /** Decompressed : compressed bytes, per zip member and for a whole compressed stream. */
  readonly maxRatio: number;
  /** Path components in one name. */
  readonly maxDepth: number;
  /** Bytes in one name (UTF-8). */
  readonly maxNameLength: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxSize: 64 * GiB,
  maxEntries: 100_000,
  maxFileSize: 64 * GiB,
  maxRatio: 1000,
  maxDepth: 64,
  maxNameLength: 4096,
});

/**
 * The ratio is judged only once this many bytes have come out: a 20 KiB file
 * of zeros is no bomb, and deflate's best ratio (~1032:1) would otherwise
 * refuse small, legitimately sparse members.
 */
export const RATIO_GRACE_BYTES = 1024 * 1024;

/**
 * Zero padding taken after a tar's end marker (GNU tar pads to 10 KiB records; this allows far
 * larger blocking factors) and after a gzip file's last member; more is refused, not read on.
 */
export const MAX_TRAILER_BYTES = 16 * 1024 * 1024;
