/**
 * Compressed tars for tests. Node 20 has gzip but no bzip2, xz or zstd encoder: bzip2 and xz
 * come from Python's standard library (bz2, lzma), and zstd frames are written here from raw
 * and RLE blocks (RFC 8878), which is all a bomb or a hostile frame needs. Real encoder output
 * (Huffman and FSE blocks) is in the committed fixtures, made by `zstd -19`.
 */
import { spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { tarHeader } from './make-tar.js';

export type PythonCodec = 'bz2' | 'xz';

const COMPRESS =
  'import sys, bz2, lzma\ndata = sys.stdin.buffer.read()\nsys.stdout.buffer.write(bz2.compress(data, 9) if sys.argv[1] == "bz2" else lzma.compress(data))';

/** `data` through Python's bz2.compress (level 9) or lzma.compress (xz, preset 6, CRC64). */
export function pythonCompress(data: Buffer, codec: PythonCodec): Buffer {
  const result = spawnSync('python3', ['-c', COMPRESS, codec], { input: data, maxBuffer: 1024 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 ${codec} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

const BOMB = `import sys, bz2, lzma
codec, members, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = bz2.BZ2Compressor(9) if codec == "bz2" else lzma.LZMACompressor()
out, zeros = [], bytes(1 << 20)
for i in range(members):
    header = bytearray(512)
    header[0:len(f"zeros{i}")] = f"zeros{i}".encode()
    header[100:108] = b"0000644\\0"; header[108:116] = b"0000000\\0"; header[116:124] = b"0000000\\0"
    header[124:136] = b"%011o\\0" % size; header[136:148] = b"14524600400\\0"
    header[156:157] = b"0"; header[257:265] = b"ustar\\x0000"
    header[148:156] = b"        "
    header[148:156] = b"%06o\\0 " % sum(header)
    out.append(c.compress(bytes(header)))
    for _ in range(size >> 20): out.append(c.compress(zeros))
    out.append(c.compress(bytes(size & ((1 << 20) - 1))))
out.append(c.compress(bytes(1024)))
out.append(c.flush())
sys.stdout.buffer.write(b"".join(out))`;

/**
 * A tar of `members` members of `size` zero bytes each (size a multiple of 512), compressed by
 * Python without ever holding the tar: a bomb of a few hundred bytes (bzip2) or kilobytes (xz).
 */
export function pythonZeroBomb(codec: PythonCodec, members: number, size: number): Buffer {
  const result = spawnSync('python3', ['-c', BOMB, codec, String(members), String(size)], { maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 ${codec} bomb failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** Bytes as they are, or `repeat` copies of one byte (RLE blocks). */
export type ZstdSegment = Buffer | { readonly repeat: number; readonly byte?: number };

export interface ZstdFrameOptions {
  /** Window size is 2^windowLog (10 to 31); blocks are at most min(window, 128 KiB). Default 17. */
  readonly windowLog?: number;
  /** Declare a content checksum (4 zero bytes after the last block; the decoder does not check it). */
  readonly checksum?: boolean;
}

const FRAME_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const MAX_BLOCK = 128 * 1024;

/** One zstd frame holding `segments`, in raw and RLE blocks. */
export function zstdFrame(segments: readonly ZstdSegment[], options: ZstdFrameOptions = {}): Buffer {
  const windowLog = options.windowLog ?? 17;
  const blockMax = Math.min(2 ** windowLog, MAX_BLOCK);
  const descriptor = options.checksum === true ? 0x04 : 0x00;
  const blocks: Buffer[] = [];
  for (const segment of segments) {
    if (Buffer.isBuffer(segment)) {
      for (let at = 0; at < segment.length; at += blockMax) blocks.push(zstdBlock('raw', segment.subarray(at, at + blockMax)));
    } else {
      for (let left = segment.repeat; left > 0; left -= blockMax) blocks.push(zstdBlock('rle', Buffer.of(segment.byte ?? 0), Math.min(left, blockMax)));
    }
  }
  if (blocks.length === 0) blocks.push(zstdBlock('raw', Buffer.alloc(0)));
  const last = blocks[blocks.length - 1]!;
  last[0] = last[0]! | 1;
  return Buffer.concat([FRAME_MAGIC, Buffer.of(descriptor, (windowLog - 10) << 3), ...blocks, options.checksum === true ? Buffer.alloc(4) : Buffer.alloc(0)]);
}

/**
 * One block, not last: a 3-byte header (last flag, type, size), then its content. `size` is
 * the regenerated size of an RLE block; raw and compressed blocks take `content.length`.
 */
export function zstdBlock(type: 'raw' | 'rle' | 'compressed', content: Buffer, size = content.length): Buffer {
  const value = (size << 3) | ({ raw: 0, rle: 1, compressed: 2 }[type] << 1);
  return Buffer.concat([Buffer.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff), content]);
}

/** A frame header: magic, descriptor and window byte, for frames assembled block by block. */
export function zstdHeader(windowLog = 17, descriptor = 0): Buffer {
  return Buffer.concat([FRAME_MAGIC, Buffer.of(descriptor, (windowLog - 10) << 3)]);
}

/** A zstd tar bomb: `members` members of `size` zeros (a multiple of 512), in RLE blocks. */
export function zstdZeroBomb(members: number, size: number, options?: ZstdFrameOptions): Buffer {
  const segments: ZstdSegment[] = [];
  for (let i = 0; i < members; i++) segments.push(tarHeader({ name: `zeros${i}`, size }), { repeat: size });
  segments.push({ repeat: 1024 });
  return zstdFrame(segments, options);
}
