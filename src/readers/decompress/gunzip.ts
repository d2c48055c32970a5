import { createGunzip } from 'node:zlib';
import { pipeThrough } from './pipe-through.js';

/**
 * gzip through Node's zlib, 1 MiB of output at a time. Up to 8 MiB of output may wait to be
 * taken, so inflating (on the thread pool) goes on while the writer writes; beyond that it
 * waits. Inflating is what bounds a tar.gz: the rest overlaps with it.
 */
export function gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return pipeThrough(compressed, createGunzip({ chunkSize: 1024 * 1024, readableHighWaterMark: 8 * 1024 * 1024 }));
}
