import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { detectFormat, isTarHeader, type Compression } from '../detect/detect-format.js';
import { findZipEnd, ZIP_TAIL_BYTES, type ZipEnd } from '../detect/find-zip-end.js';
import { ArchiveError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ArchiveMember } from './archive-member.js';
import { FileByteSource, StreamByteSource } from './byte-source.js';
import { ContainerError, malformed } from './container-error.js';
import { decompressorFor, type Decompressor } from './decompress/decompressor-for.js';
import { BufferAccess, FileAccess, type RandomAccess } from './random-access.js';
import { readTar, type TarMember } from './tar-reader.js';
import type { ZipMember } from './zip-layout.js';
import { listZipNames } from './list-zip-names.js';
import { vetEntry } from '../vet/vet-entry.js';
import { createVetState } from '../vet/vet-state.js';
import { exceedsRatio, type StreamCount } from '../vet/byte-budget.js';

const CHUNK = 1024 * 1024;

/** A path, the archive's bytes, or a stream of them (spooled to a private file first). */
export type ArchiveSource = string | Buffer | Readable;

/** How far the walk is through the archive's own (for a compressed tar: compressed) bytes. */
export interface ArchiveProgress {
  readonly bytes: number;
  /** The archive's size; null for a stream source, whose size was not known when it started. */
  readonly total: number | null;
}

export interface OpenedArchive {
  /** Null when the archive was refused before its format could be settled. */
  readonly format: 'tar' | 'zip' | null;
  readonly compression: Compression | null;
  /** Members in archive order; the caller finishes with each before taking the next. */
  members(): AsyncGenerator<ArchiveMember>;
  /** A compressed tar's bytes read and decompressed so far (for the whole-stream ratio), else null. */
  stream(): StreamCount | null;
  /**
   * For progress reports: a tar's read position, a compressed tar's compressed bytes read, a
   * zip's share of the current member's stored data. Once the current member is `handled`, its
   * data counts as passed, read or not (a scan passes over it when the next is asked for).
   */
  progress(handled: boolean): ArchiveProgress;
  /** Checks that need the whole walk; throws a ContainerError. Call after the last member. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a source and decides, from its bytes alone, how to read it. A container problem found
 * while opening (a polyglot, a stream over the size limit) is not thrown here: the archive
 * returned raises it on the first read, so every command reports it as a finding.
 */
export async function openArchive(source: ArchiveSource, limits: Limits): Promise<OpenedArchive> {
  try {
    return await openChecked(source, limits);
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    return {
      format: null,
      compression: null,
      // eslint-disable-next-line require-yield -- an archive that fails on its first read has no members
      members: async function* () {
        throw error;
      },
      stream: () => null,
      progress: () => ({ bytes: 0, total: null }),
      finish: async () => undefined,
      close: async () => undefined,
    };
  }
}

async function openChecked(source: ArchiveSource, limits: Limits): Promise<OpenedArchive> {
  const { access, cleanup } = await openAccess(source, limits);
  try {
    const head = await access.read(0, 1024);
    const tailStart = Math.max(0, access.size - ZIP_TAIL_BYTES);
    const zipEnd = findZipEnd(await access.read(tailStart, ZIP_TAIL_BYTES), tailStart, access.size);
    const format = detectFormat(head) ?? (zipEnd !== null ? 'zip' : null);
    const total = typeof source === 'string' || Buffer.isBuffer(source) ? access.size : null;
    const close = async (): Promise<void> => {
      await access.close();
      await cleanup();
    };
    if (format === null) throw new ArchiveError('ERR_NOT_AN_ARCHIVE', 'not a tar, a compressed tar (gzip, bzip2, xz, zstd) or a zip archive');
    if (format === 'zip') {
      if (isTarHeader(head)) throw new ContainerError('AMBIGUOUS_FORMAT', 'the file is both a zip and a tar');
      return { format, compression: null, ...zipWalk(access, limits.maxEntries, total), stream: () => null, finish: async () => undefined, close };
    }
    if (format !== 'tar') {
      const decompress = await decompressorFor(format);
      // unzip, Python and Go would find this zip in the compressed file's tail and extract it instead.
      if (zipEnd !== null) throw new ContainerError('AMBIGUOUS_FORMAT', `a zip end record lies in the tail of this ${format} file`);
      return compressedTar(access, format, decompress, limits.maxRatio, total, close);
    }
    return plainTar(access, zipEnd, limits, total, close);
  } catch (error) {
    await access.close();
    await cleanup();
    throw error;
  }
}

function plainTar(access: RandomAccess, zipEnd: ZipEnd | null, limits: Limits, total: number | null, close: () => Promise<void>): OpenedArchive {
  let holder: TarMember | null = null;
  let source: FileByteSource | null = null;
  let end = 0;
  const members = (): AsyncGenerator<ArchiveMember> => {
    source = new FileByteSource(access);
    return readTar(source, (member) => {
      end = member.dataOffset + member.entry.size;
      if (zipEnd !== null && member.dataOffset <= zipEnd.offset && zipEnd.offset < member.dataOffset + member.entry.size) holder = member;
    });
  };
  return {
    format: 'tar',
    compression: null,
    members,
    stream: () => null,
    progress: (handled) => ({ bytes: Math.max(source?.position ?? 0, handled ? end : 0), total }),
    finish: async () => {
      if (zipEnd === null) return;
      // An uncompressed .nemo ends with a torch checkpoint, a zip: accepted when it lies wholly in one member.
      const member: TarMember | null = holder;
      if (member === null || member.dataOffset > zipEnd.directoryStart || zipEnd.offset + 22 > member.dataOffset + member.entry.size) {
        throw new ContainerError('AMBIGUOUS_FORMAT', 'a zip that unzip, Python and Go would read lies outside any one tar member');
      }
      await vetContainedZip(access, member, limits);
    },
    close,
  };
}

/**
 * A tar inside gzip, bzip2, xz or zstd: the file is read in 1 MiB chunks, counted (for the
 * whole-stream ratio), decompressed only as fast as the tar walk takes the output, and walked
 * as any tar. Every byte of the stream is decompressed, wanted or not.
 */
function compressedTar(
  access: RandomAccess,
  compression: Compression,
  decompress: Decompressor,
  maxRatio: number,
  total: number | null,
  close: () => Promise<void>,
): OpenedArchive {
  // One object, updated in place: the meter reads it for every body chunk.
  const count = { compressed: 0, out: 0 };
  /**
   * Every byte out is counted for the whole-stream ratio, also those no member body holds
   * (headers, PAX and GNU records, padding, the trailer): an archive of nothing but global
   * PAX headers expands as far as one of zeros. Checked as the next chunk is taken, so a body
   * in the last one was counted first, and named, by vetArchive's meter against this count.
   */
  const bounded = async function* (decompressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of decompressed) {
      if (exceedsRatio(count.out, count.compressed, maxRatio)) throw new ContainerError('LIMIT_EXCEEDED', `archive expands more than ${maxRatio}:1`);
      count.out += chunk.length;
      yield chunk;
    }
  };
  async function* members(): AsyncGenerator<ArchiveMember> {
    const counted = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of fileChunks(access)) {
        count.compressed += chunk.length;
        yield chunk;
      }
    };
    const chunks = bounded(corruptAsMalformed(decompress(counted()), compression));
    try {
      yield* readTar(new StreamByteSource(chunks));
    } finally {
      // The walk may stop early (a refusal): stop the decoder and the file stream under it.
      await chunks.return(undefined);
    }
  }
  return {
    format: 'tar',
    compression,
    members,
    stream: () => count,
    progress: () => ({ bytes: count.compressed, total }),
    finish: async () => undefined,
    close,
  };
}

/**
 * A zip's members, and how far through the file they are: up to the current member's data, and
 * for a large member its share read so far (its stored bytes in proportion to the real bytes out).
 */
function zipWalk(access: RandomAccess, maxEntries: number, total: number | null): Pick<OpenedArchive, 'members' | 'progress'> {
  let at = 0;
  let end = 0;
  async function* members(): AsyncGenerator<ArchiveMember> {
    // Loaded on first use: a tar never pays for loading yauzl.
    const { readZip } = await import('./zip-reader.js');
    for await (const member of readZip(access, maxEntries)) {
      const { dataStart, compressedSize, uncompressedSize } = member.raw;
      at = dataStart;
      end = dataStart + compressedSize;
      if (compressedSize < CHUNK) {
        yield member;
        continue;
      }
      let out = 0;
      const body = async function* (): AsyncGenerator<Buffer> {
        for await (const chunk of member.body()) {
          out += chunk.length;
          at = dataStart + Math.min(compressedSize, Math.floor((compressedSize * out) / Math.max(1, uncompressedSize)));
          yield chunk;
        }
      };
      // A member of exactly 1 MiB stored may still be taken whole from the cache: all read then.
      const bodyNow = (): Buffer | null => {
        const whole = member.bodyNow?.() ?? null;
        if (whole !== null) at = end;
        return whole;
      };
      yield { ...member, body, bodyNow } satisfies ZipMember;
    }
  }
  return { members, progress: (handled) => ({ bytes: handled ? end : at, total }) };
}

/**
 * The file's bytes in 1 MiB chunks, read into two reused buffers with the next read in flight
 * while the decoder works on this chunk: a chunk is valid until the next is pulled. A fresh
 * buffer per chunk made a 1 GiB tar.gz fault in 1 GiB of new pages: gunzip alone took 3.9 s
 * this way and 4.5-5.6 s that way. A failing read is ERR_SOURCE_UNREADABLE, not a corrupt archive.
 */
async function* fileChunks(access: RandomAccess): AsyncGenerator<Buffer> {
  if (access instanceof BufferAccess) {
    for (let at = 0; at < access.size; at += CHUNK) yield access.buffer.subarray(at, at + CHUNK);
    return;
  }
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
  const readAt = (buffer: Buffer, position: number): Promise<number> => {
    const reading = access.readInto(buffer, 0, CHUNK, position).catch((error: unknown) => {
      throw new ArchiveError('ERR_SOURCE_UNREADABLE', `could not read the archive: ${(error as Error).message}`, { cause: error });
    });
    // Handled now, thrown when awaited: a read ahead may fail while the decoder is busy.
    reading.catch(() => undefined);
    return reading;
  };
  let next: Promise<number> | null = readAt(buffers[0], 0);
  try {
    for (let at = 0, turn = 0; next !== null; turn ^= 1) {
      const got: number = await next;
      if (got === 0) return;
      const buffer = turn === 0 ? buffers[0] : buffers[1];
      at += got;
      // The consumer pulled this chunk, so it is done with the other buffer: read into it now.
      next = readAt(turn === 0 ? buffers[1] : buffers[0], at);
      yield buffer.subarray(0, got);
    }
  } finally {
    // Left midway (a refusal): the read ahead ends before the file may be closed.
    await next?.catch(() => undefined);
  }
}

/**
 * unzip, Python and Go would extract the zip inside the member from the whole file, so its
 * names must pass the same rules: one hostile name refuses the file, whatever the policy.
 */
async function vetContainedZip(access: RandomAccess, holder: TarMember, limits: Limits): Promise<void> {
  const state = createVetState();
  for (const inner of await listZipNames(access, holder.dataOffset, holder.dataOffset + holder.entry.size)) {
    const refusing = vetEntry(inner, state, { policy: 'refuse', limits }).findings.find((finding) => finding.action === 'refused');
    if (refusing !== undefined) {
      const message = `unzip, Python and Go would extract the zip in this member, and its member ${JSON.stringify(inner.name)} has ${refusing.code}: ${refusing.message}`;
      throw new ContainerError('AMBIGUOUS_FORMAT', message, holder.entry.name);
    }
  }
}

/** Decoder failures are the archive's: MALFORMED_ARCHIVE, unless already a finding or an operational error. */
async function* corruptAsMalformed(decompressed: AsyncIterable<Buffer>, compression: Compression): AsyncGenerator<Buffer> {
  try {
    yield* decompressed;
  } catch (error) {
    if (error instanceof ContainerError || error instanceof ArchiveError) throw error;
    throw malformed(`${compression} data is corrupt or truncated: ${(error as Error).message}`);
  }
}

async function openAccess(source: ArchiveSource, limits: Limits): Promise<{ access: RandomAccess; cleanup: () => Promise<void> }> {
  const none = async (): Promise<void> => undefined;
  if (Buffer.isBuffer(source)) return { access: new BufferAccess(source), cleanup: none };
  if (typeof source === 'string') return { access: await openFile(source), cleanup: none };
  const dir = await mkdtemp(join(tmpdir(), 'slipguard-spool-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'archive');
    await spool(source, path, limits.maxSize);
    return { access: await openFile(path), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A zip needs random access: a stream is copied to a private file first, within the size limit. */
async function spool(source: Readable, path: string, maxSize: number): Promise<void> {
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > maxSize ? new ContainerError('LIMIT_EXCEEDED', `input is over the total limit of ${maxSize} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(source, limit, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  } catch (error) {
    if (error instanceof ContainerError) throw error;
    throw new ArchiveError('ERR_SOURCE_UNREADABLE', `could not read the input stream: ${(error as Error).message}`, { cause: error });
  }
}

async function openFile(path: string): Promise<FileAccess> {
  try {
    return await FileAccess.open(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTFILE' || code === 'EISDIR' ? 'not a regular file' : code;
    throw new ArchiveError('ERR_SOURCE_UNREADABLE', `cannot read ${path}: ${why}`, { cause: error });
  }
}
