// The part of node-liblzma 5 slipguard uses. It is an optional native dependency, loaded with
// a dynamic import only when an xz archive is opened (see decompress/unxz.ts).
declare module 'node-liblzma' {
  import type { Transform } from 'node:stream';

  interface UnxzOptions {
    /** Bytes of output per native call. */
    chunkSize?: number;
    /** liblzma's decoder memory limit, in bytes; over it the stream errors (LZMA_MEMLIMIT_ERROR). */
    memlimit?: number;
  }

  export function createUnxz(options?: UnxzOptions): Transform;
}
