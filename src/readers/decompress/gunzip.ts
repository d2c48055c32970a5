import { createGunzip, type ZlibOptions } from 'node:zlib';
import { pipeThrough } from './pipe-through.js';

/**
 * zlib streams take the Transform stream options too (Node passes them on); @types/node's
 * ZlibOptions does not list them.
 */
const OPTIONS: ZlibOptions & { readonly readableHighWaterMark: number } = { chunkSize: 1024 * 1024, readableHighWaterMark: 8 * 1024 * 1024 };

/**
 * gzip through Node's zlib, 1 MiB of output at a time. Up to 8 MiB of output may wait to be
 * taken, so inflating (on the thread pool) goes on while the writer writes; beyond that it
 * waits. Inflating is what bounds a tar.gz: the rest overlaps with it.
 */
export function gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return pipeThrough(compressed, createGunzip(OPTIONS));
}
