import type { Compression } from '../../detect/detect-format.js';
import { bunzip2 } from './bunzip2.js';
import { gunzip } from './gunzip.js';
import { loadUnxz } from './unxz.js';
import { unzstd } from './unzstd.js';

/** Compressed chunks in, decompressed chunks out, produced only as fast as they are taken. */
export type Decompressor = (compressed: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>;

/**
 * The decoder for a compressed tar: gzip by Node's zlib; bzip2 (unbzip2-stream) and zstd
 * (fzstd) in pure JavaScript, as Node 20 has neither; xz by liblzma through the optional
 * native package node-liblzma, loaded here on first use (ERR_UNSUPPORTED_FORMAT without it).
 */
export async function decompressorFor(compression: Compression): Promise<Decompressor> {
  if (compression === 'gzip') return gunzip;
  if (compression === 'bzip2') return bunzip2;
  if (compression === 'zstd') return (compressed) => unzstd(compressed);
  return loadUnxz();
}
