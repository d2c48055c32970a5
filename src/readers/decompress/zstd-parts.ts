import type { ByteSource } from '../byte-source.js';
import { ContainerError, malformed } from '../container-error.js';

const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames: 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;
/** The window `zstd -d` accepts without `--memory` (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27). */
export const MAX_ZSTD_WINDOW = 2 ** 27;
const MAX_BLOCK = 128 * 1024;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4] as const;

/** A piece of a zstd frame, checked and cut where the decoder can take it. */
export interface ZstdPart {
  readonly bytes: Buffer;
  /** The frame's window. The decoder keeps this much history and shifts it after every block. */
  readonly window: number;
  /** For a block: the most output it can make. Null for a frame header or checksum. */
  readonly output: number | null;
}

/**
 * Walks zstd frames (RFC 8878) without decoding them: frame headers, then one block at a time,
 * then the checksum. Skippable frames are passed over. What the pure-JS decoder would not
 * check is checked here: the reserved bit, dictionaries (refused: none is available), the
 * window (refused over 128 MiB, as `zstd -d` does by default), block types and block sizes
 * (at most the frame's block size, 128 KiB or the window). Bytes after the last frame that are
 * not a frame are refused, as are truncated frames.
 */
export async function* zstdParts(source: ByteSource): AsyncGenerator<ZstdPart> {
  for (let frame = 0; ; frame++) {
    const magic = await source.read(4);
    if (magic.length === 0 && frame > 0) return;
    if (magic.length < 4) throw malformed(frame === 0 ? 'zstd data is truncated' : 'bytes after the last zstd frame are not a zstd frame');
    const id = magic.readUInt32LE(0);
    if ((id & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      const length = (await exactly(source, 4)).readUInt32LE(0);
      if ((await source.skip(length)) < length) throw truncated();
      continue;
    }
    if (id !== FRAME_MAGIC) throw malformed(frame === 0 ? 'not a zstd frame' : 'bytes after the last zstd frame are not a zstd frame');
    const header = await frameHeader(source, magic);
    yield { bytes: header.bytes, window: header.window, output: null };
    const blockMax = Math.min(header.window, MAX_BLOCK);
    for (let last = false; !last;) {
      const head = await exactly(source, 3);
      const value = head[0]! | (head[1]! << 8) | (head[2]! << 16);
      last = (value & 1) === 1;
      const type = (value >> 1) & 3;
      const size = value >>> 3;
      if (type === 3) throw malformed('a zstd block has the reserved block type');
      if (size > blockMax) throw malformed(`a zstd block of ${size} bytes is over its frame's block size of ${blockMax}`);
      // Raw: `size` bytes follow. RLE: one byte, repeated `size` times. Compressed: `size` bytes that make up to blockMax.
      const body = await exactly(source, type === 1 ? 1 : size);
      yield { bytes: Buffer.concat([head, body]), window: header.window, output: type === 2 ? blockMax : size };
    }
    if (header.checksum) yield { bytes: await exactly(source, 4), window: header.window, output: null };
  }
}

async function frameHeader(source: ByteSource, magic: Buffer): Promise<{ bytes: Buffer; window: number; checksum: boolean }> {
  const descriptor = (await exactly(source, 1))[0]!;
  if ((descriptor & 0x08) !== 0) throw malformed('a zstd frame header sets its reserved bit');
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictionaryBytes = DICTIONARY_ID_BYTES[descriptor & 3]!;
  const sizeFlag = descriptor >> 6;
  const contentSizeBytes = sizeFlag === 0 ? (singleSegment ? 1 : 0) : 2 ** sizeFlag;
  const rest = await exactly(source, (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes);
  let window = 0;
  if (!singleSegment) {
    const exponent = rest[0]! >> 3;
    const base = 2 ** (10 + exponent);
    window = base + (base / 8) * (rest[0]! & 7);
  }
  const dictionaryAt = singleSegment ? 0 : 1;
  if (littleEndian(rest, dictionaryAt, dictionaryBytes) !== 0) throw malformed('a zstd frame needs a dictionary, which slipguard does not have');
  // A single-segment frame's window is its content size (a 2-byte size counts from 256).
  if (singleSegment) window = littleEndian(rest, dictionaryAt + dictionaryBytes, contentSizeBytes) + (contentSizeBytes === 2 ? 256 : 0);
  if (window > MAX_ZSTD_WINDOW) {
    throw new ContainerError('LIMIT_EXCEEDED', `a zstd frame needs a ${window}-byte window, over the 128 MiB that zstd -d allows without --memory`);
  }
  return { bytes: Buffer.concat([magic, Buffer.of(descriptor), rest]), window, checksum: (descriptor & 0x04) !== 0 };
}

function littleEndian(bytes: Buffer, at: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

async function exactly(source: ByteSource, length: number): Promise<Buffer> {
  const bytes = await source.read(length);
  if (bytes.length < length) throw truncated();
  return bytes;
}

function truncated(): ContainerError {
  return malformed('zstd data is truncated');
}
