import type { Transform } from 'node:stream';
import { ArchiveError } from '../../errors.js';
import { ContainerError } from '../container-error.js';
import type { Decompressor } from './decompressor-for.js';
import { pipeThrough } from './pipe-through.js';

/** liblzma's decoder memory limit: xz -9 needs 65 MiB; a stream that asks for more is refused. */
export const XZ_MEMLIMIT = 128 * 1024 * 1024;
/**
 * Bytes per write: node-liblzma decodes all of a write before it waits for its output to be
 * taken, and xz expands up to about 7000:1 (1 GiB of zeros is 156 kB), so each write is kept
 * small enough that its output stays in the tens of MiB.
 */
const SLICE = 4096;

type CreateUnxz = (options: { chunkSize: number; memlimit: number }) => Transform;

/**
 * xz through liblzma, by the optional native package node-liblzma (no pure-JS streaming xz
 * decoder is maintained). It is loaded on first use; where it cannot load (not installed, no
 * prebuilt binary for this platform), xz archives are ERR_UNSUPPORTED_FORMAT.
 */
export async function loadUnxz(load: () => Promise<{ createUnxz: CreateUnxz }> = () => import('node-liblzma')): Promise<Decompressor> {
  let createUnxz: CreateUnxz;
  try {
    ({ createUnxz } = await load());
  } catch (error) {
    const why = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new ArchiveError(
      'ERR_UNSUPPORTED_FORMAT',
      `xz-compressed archives need the optional package node-liblzma, which could not be loaded (${why}); install it with npm install node-liblzma, or decompress with xz -d first`,
      { cause: error },
    );
  }
  return (compressed) => unxz(compressed, createUnxz);
}

async function* unxz(compressed: AsyncIterable<Buffer>, createUnxz: CreateUnxz): AsyncGenerator<Buffer> {
  try {
    yield* pipeThrough(slices(compressed), createUnxz({ chunkSize: 1024 * 1024, memlimit: XZ_MEMLIMIT }));
  } catch (error) {
    if (isMemoryLimit(error))
      throw new ContainerError('LIMIT_EXCEEDED', `the xz stream needs more than ${XZ_MEMLIMIT} bytes of decoder memory (a dictionary larger than xz -9 uses)`);
    throw error;
  }
}

async function* slices(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    for (let at = 0; at < chunk.length; at += SLICE) yield chunk.subarray(at, at + SLICE);
  }
}

/** node-liblzma's LZMAMemoryLimitError (liblzma's LZMA_MEMLIMIT_ERROR, 6). */
function isMemoryLimit(error: unknown): boolean {
  const { name, errno, code } = (error ?? {}) as { name?: unknown; errno?: unknown; code?: unknown };
  return name === 'LZMAMemoryLimitError' || errno === 6 || code === 6;
}
