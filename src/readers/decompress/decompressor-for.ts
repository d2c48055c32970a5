import type { Compression } from '../../detect/detect-format.js';

/**
 * Compressed chunks in, decompressed chunks out, produced only as fast as they are taken. A
 * compressed chunk is valid only until the next one is pulled (the file is read into two
 * reused buffers); a decoder that keeps chunks longer gets copies (see `copied`).
 */
export type Decompressor = (compressed: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>;

/**
 * The decoder for a compressed tar: gzip by Node's zlib; bzip2 (unbzip2-stream) and zstd
 * (fzstd) in pure JavaScript, as Node 20 has neither; xz by liblzma through the optional
 * native package node-liblzma (ERR_UNSUPPORTED_FORMAT without it). Each is loaded on first
 * use, so a plain tar or a zip does not pay for loading decoders it never needs.
 */
export async function decompressorFor(compression: Compression): Promise<Decompressor> {
  // gunzip uses each chunk up before it pulls the next (its stream fallback keeps copies).
  if (compression === 'gzip') return (await import('./gunzip.js')).gunzip;
  // These queue input ahead of their decoding (bzip2 a block, zstd a frame part, liblzma its own).
  if (compression === 'bzip2') {
    const { bunzip2 } = await import('./bunzip2.js');
    return (compressed) => bunzip2(copied(compressed));
  }
  if (compression === 'zstd') {
    const { unzstd } = await import('./unzstd.js');
    return (compressed) => unzstd(copied(compressed));
  }
  const unxz = await (await import('./unxz.js')).loadUnxz();
  return (compressed) => unxz(copied(compressed));
}

/** Each chunk copied out of the reader's reused buffers, for a decoder that keeps chunks. */
async function* copied(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}
