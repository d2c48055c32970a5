import yauzl from 'yauzl';
import type { BlockCache } from './block-cache.js';

const RESOLVED = Promise.resolve();

/**
 * yauzl's reads (the end record, every central record, every local header: two or three small
 * reads a member) served from a BlockCache. A read the cache holds answers in a microtask, not
 * through the thread pool; a microtask, not a direct call, because yauzl's lazy walk calls back
 * into itself and a synchronous answer would grow the stack by a frame per member. A resolved
 * promise's then, not queueMicrotask: several times cheaper (no async-hooks bookkeeping).
 * yauzl's own read streams are not used (bodies are read by zip-body), so _readStreamForRange
 * is left unimplemented.
 */
export class CachedYauzlReader extends yauzl.RandomAccessReader {
  readonly #cache: BlockCache;

  constructor(cache: BlockCache) {
    super();
    this.#cache = cache;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, bytesRead?: number) => void): void {
    let result: number | Promise<number>;
    try {
      result = this.#cache.read(buffer, offset, position, length);
    } catch (error) {
      void RESOLVED.then(() => callback(error as Error));
      return;
    }
    if (typeof result === 'number') void RESOLVED.then(() => callback(null, result));
    else
      result.then(
        (count) => callback(null, count),
        (error: unknown) => callback(error as Error),
      );
  }
}
