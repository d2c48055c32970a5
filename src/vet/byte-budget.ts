import type { Limits } from '../limits.js';
import { RATIO_GRACE_BYTES } from '../limits.js';
import { issue, type Issue } from './issue.js';

/**
 * Counts real decompressed bytes as they stream and says when a limit is crossed: per
 * member, for the whole archive, and the compression ratio of a member or of the whole
 * stream. Pure: callers feed it counts and act on what it returns.
 */
export class ByteBudget {
  #total = 0;
  #member = 0;

  constructor(readonly limits: Limits) {}

  get total(): number {
    return this.#total;
  }

  startMember(): void {
    this.#member = 0;
  }

  /**
   * Adds a chunk of `length` bytes; `memberCompressed` is the member's stored size (zip) or
   * null, `stream` what a compressed tar's decoder has read and put out so far, else null.
   * The whole-stream ratio counts every byte out (headers, PAX records, padding), not only
   * member bodies.
   */
  add(length: number, memberCompressed: number | null, stream: StreamCount | null): Issue | null {
    this.#member += length;
    this.#total += length;
    const { maxFileSize, maxSize, maxRatio } = this.limits;
    if (this.#member > maxFileSize) return issue('LIMIT_EXCEEDED', `member is over the per-file limit of ${maxFileSize} bytes`);
    if (this.#total > maxSize) return issue('LIMIT_EXCEEDED', `archive is over the total limit of ${maxSize} bytes`);
    if (exceedsRatio(this.#member, memberCompressed, maxRatio)) return issue('LIMIT_EXCEEDED', `member expands more than ${maxRatio}:1`);
    if (stream !== null && exceedsRatio(Math.max(this.#total, stream.out), stream.compressed, maxRatio))
      return issue('LIMIT_EXCEEDED', `archive expands more than ${maxRatio}:1`);
    return null;
  }
}

/** A compressed stream's bytes so far: `compressed` read, `out` decompressed. */
export interface StreamCount {
  readonly compressed: number;
  readonly out: number;
}

/** Past the grace, more out than `maxRatio` times what was read in. */
export function exceedsRatio(out: number, compressed: number | null, maxRatio: number): boolean {
  return compressed !== null && out > RATIO_GRACE_BYTES && out > compressed * maxRatio;
}
