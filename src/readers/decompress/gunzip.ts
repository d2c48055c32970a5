import { createGunzip } from 'node:zlib';
import { pipeThrough } from './pipe-through.js';

/** gzip through Node's zlib, 1 MiB of output at a time; it waits for its output to be taken. */
export function gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return pipeThrough(compressed, createGunzip({ chunkSize: 1024 * 1024 }));
}
