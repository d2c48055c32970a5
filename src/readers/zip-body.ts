import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { Readable } from 'node:stream';
import type { BlockCache } from './block-cache.js';
import { malformed, ContainerError } from './container-error.js';
import { BufferAccess, type RandomAccess } from './random-access.js';

/** What reading a member's body needs: where its bytes are and what they must add up to. */
export interface ZipBodyPlan {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  /** Declared real (uncompressed) size. */
  readonly size: number;
  readonly compressedSize: number;
  readonly dataStart: number;
}

/** Members no larger than this (stored and real) are read and inflated in one go. */
export const SMALL_MEMBER = 1024 * 1024;
/** Whether a member is read in one go from the cache (else it is streamed in chunks of its own). */
export function isSmallMember(compressedSize: number, size: number): boolean {
  return compressedSize <= SMALL_MEMBER && size <= SMALL_MEMBER;
}

/** Large members are read in chunks of this size. */
const CHUNK = 1024 * 1024;

/**
 * A zip member's real bytes: never more than its header says, size and CRC-32 checked before
 * the last chunk is handed over (a small member's one chunk is checked before it is handed
 * over). A chunk is valid only until the next one is asked for: buffers are reused.
 */
export async function* readZipBody(access: RandomAccess, cache: BlockCache, plan: ZipBodyPlan): AsyncGenerator<Buffer> {
  if (isSmallMember(plan.compressedSize, plan.size)) {
    const data = await smallBody(cache, plan);
    if (data.length > 0) yield data;
    return;
  }
  const compressed = plan.method === 0 ? storedChunks(access, plan) : readRange(access, plan);
  const chunks = plan.method === 0 ? compressed : inflate(compressed, plan.name);
  let crc = 0;
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > plan.size) throw overlong(plan);
    crc = crc32(chunk, crc);
    yield chunk;
  }
  checkWhole(size, crc, plan);
}

/**
 * Read from the cache (usually without a read of its own: the block that held the local header
 * holds the data) and inflated synchronously: one zlib call instead of a stream per member.
 * The output is capped one byte past the declared size, so a bomb stops there.
 */
async function smallBody(cache: BlockCache, plan: ZipBodyPlan): Promise<Buffer> {
  const stored = await cache.view(plan.dataStart, plan.compressedSize);
  if (stored.length < plan.compressedSize) throw malformed('truncated member data', plan.name);
  return checkedSmall(stored, plan);
}

/**
 * A small member's body without waiting, where one cached block already holds its stored
 * bytes (the usual case: the block that held the previous member holds this one), checked
 * as readZipBody checks it. Null for an empty or large member, or bytes not in the cache:
 * then readZipBody reads it. Valid until the next read on the cache, as a chunk is.
 */
export function zipBodyNow(cache: BlockCache, plan: ZipBodyPlan): Buffer | null {
  if (plan.size === 0 || !isSmallMember(plan.compressedSize, plan.size)) return null;
  const stored = cache.viewNow(plan.dataStart, plan.compressedSize);
  return stored === null ? null : checkedSmall(stored, plan);
}

function checkedSmall(stored: Buffer, plan: ZipBodyPlan): Buffer {
  const data = plan.method === 0 ? stored : inflateSmall(stored, plan);
  if (data.length > plan.size) throw overlong(plan);
  checkWhole(data.length, crc32(data), plan);
  return data;
}

function inflateSmall(compressed: Buffer, plan: ZipBodyPlan): Buffer {
  try {
    // chunkSize: one output buffer for the whole member (zlib's floor is 64 bytes).
    const limit = plan.size + 1;
    return inflateRawSync(compressed, { maxOutputLength: limit, chunkSize: Math.max(64, limit) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw overlong(plan);
    throw malformed(`deflate data is corrupt: ${(error as Error).message}`, plan.name);
  }
}

function overlong(plan: ZipBodyPlan): ContainerError {
  return malformed(`member inflates past its declared ${plan.size} bytes`, plan.name);
}

function checkWhole(size: number, crc: number, plan: ZipBodyPlan): void {
  if (size !== plan.size) throw malformed(`member has ${size} bytes, its header says ${plan.size}`, plan.name);
  if (crc !== plan.crc) throw malformed('CRC-32 mismatch', plan.name);
}

/**
 * A large stored member: 1 MiB reads into two reused buffers, the next read in flight while
 * the consumer handles this chunk (it asked for this one, so it is done with the other buffer).
 */
async function* storedChunks(access: RandomAccess, plan: ZipBodyPlan): AsyncGenerator<Buffer> {
  const { dataStart: start, compressedSize: length } = plan;
  if (access instanceof BufferAccess) {
    // In memory already: views, never copies.
    for (let at = 0; at < length; at += CHUNK) yield access.buffer.subarray(start + at, start + Math.min(length, at + CHUNK));
    return;
  }
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
  const fill = (turn: number, at: number): Promise<Buffer> =>
    fillChunk(access, turn % 2 === 0 ? buffers[0] : buffers[1], start + at, Math.min(CHUNK, length - at), plan.name);
  let pending: Promise<Buffer> | null = fill(0, 0);
  try {
    for (let at = 0, turn = 0; pending !== null; turn++) {
      const chunk: Buffer = await pending;
      at += chunk.length;
      pending = at < length ? fill(turn + 1, at) : null;
      yield chunk;
    }
  } finally {
    // Left midway (a refusal, a consumer that stopped): let the read ahead end before the
    // caller may close the file, and keep its failure, if any, from going unhandled.
    await pending?.catch(() => undefined);
  }
}

async function fillChunk(access: RandomAccess, buffer: Buffer, position: number, length: number, name: string): Promise<Buffer> {
  const count = await access.readInto(buffer, 0, length, position);
  if (count < length) throw malformed('truncated member data', name);
  return buffer.subarray(0, length);
}

/** A large deflated member's stored bytes, in 1 MiB reads of their own (the inflater may hold several). */
async function* readRange(access: RandomAccess, plan: ZipBodyPlan): AsyncGenerator<Buffer> {
  for (let at = 0; at < plan.compressedSize;) {
    const chunk = await access.read(plan.dataStart + at, Math.min(CHUNK, plan.compressedSize - at));
    if (chunk.length === 0) throw malformed('truncated member data', plan.name);
    at += chunk.length;
    yield chunk;
  }
}

async function* inflate(compressed: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
  const input = Readable.from(compressed, { objectMode: false });
  input.on('error', (error) => inflater.destroy(error));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof ContainerError) throw error;
    throw malformed(`deflate data is corrupt: ${(error as Error).message}`, name);
  } finally {
    input.destroy();
    inflater.destroy();
  }
}
