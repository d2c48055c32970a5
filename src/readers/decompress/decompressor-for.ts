import type { Compression } from '../../detect/detect-format.js';

/** Compressed chunks in, decompressed chunks out, produced only as fast as they are taken. */
export type Decompressor = (compressed: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>;

/**
 * The decoder for a compressed tar: gzip by Node's zlib; bzip2 (unbzip2-stream) and zstd
 * (fzstd) in pure JavaScript, as Node 20 has neither; xz by liblzma through the optional
 * native package node-liblzma (ERR_UNSUPPORTED_FORMAT without it). Each is loaded on first
 * use, so a plain tar or a zip does not pay for loading decoders it never needs.
 */
export async function decompressorFor(compression: Compression): Promise<Decompressor> {
  if (compression === 'gzip') return (await import('./gunzip.js')).gunzip;
  if (compression === 'bzip2') return (await import('./bunzip2.js')).bunzip2;
  if (compression === 'zstd') {
    const { unzstd } = await import('./unzstd.js');
    return (compressed) => unzstd(compressed);
  }
  return (await import('./unxz.js')).loadUnxz();
}
