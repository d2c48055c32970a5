import type { Entry, EntryType } from '../entry.js';
import { MAX_TRAILER_BYTES } from '../limits.js';
import type { ArchiveMember } from './archive-member.js';
import type { ByteSource } from './byte-source.js';
import { ContainerError, malformed } from './container-error.js';
import { decodeUtf8 } from './decode-utf8.js';
import { isZero } from './is-zero.js';
import { parsePax } from './parse-pax.js';
import { decodeHeaderFields, type HeaderFields } from './tar-header-fields.js';

const BLOCK = 512;
const TRAILER_STEP = 64 * 1024;
/** PAX and GNU long-name bodies are names, not data: larger ones are refused, never buffered. */
const MAX_META_BYTES = 1024 * 1024;
const TYPES: Readonly<Record<string, EntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/** Types after which CPython's tarfile does not skip `size` bytes of data (tarfile._proc_builtin). */
const UNSKIPPED_DATA_FLAGS: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5', '6']);

export interface TarMember extends ArchiveMember {
  /** Offset of the body in the (decompressed) tar stream: where a contained zip would lie. */
  readonly dataOffset: number;
}

/** Extended-header state waiting for the member it applies to. */
interface Pending {
  pax: Map<string, Buffer> | null;
  longName: Buffer | null;
  longLink: Buffer | null;
  /** Offset of the first pending meta header, for the orphan message. */
  from: number;
}

/**
 * Walks a tar archive header by header: ustar, PAX (`x`, `g`) and GNU (`L`, `K`, old sparse).
 * Checksum, mode and mtime are decoded as node-tar's Header decodes them; the walk is ours because
 * node-tar's Parser resynchronises past bad checksums, ignores large meta headers, drops a
 * global PAX `path` and cannot seek. Everything other readers would read differently is
 * refused as MALFORMED_ARCHIVE. The consumer must finish with a member before asking for the next.
 * `onMember` sees each member as it is yielded: a caller that only watches needs no generator
 * of its own around this one (one more await per member).
 */
export async function* readTar(source: ByteSource, onMember?: (member: TarMember) => void): AsyncGenerator<TarMember> {
  let pending: Pending = { pax: null, longName: null, longLink: null, from: -1 };
  let index = 0;
  for (;;) {
    const offset = source.position;
    const block = source.readNow(BLOCK) ?? (await source.read(BLOCK));
    if (block.length === 0) throw malformed('tar ends without its end-of-archive blocks');
    if (block.length < BLOCK) throw malformed(`truncated header at offset ${offset}`);
    if (isZero(block)) {
      await expectEnd(source, pending);
      return;
    }
    const header = decodeHeader(block, offset);
    if (!header.checksumValid) throw malformed(`bad header checksum at offset ${offset}`);
    const flag = String.fromCharCode(block[156]!);
    const size = decodeSize(block, offset);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (pending.from < 0) pending.from = offset;
      await readMeta(source, flag, size, pending);
      continue;
    }
    const entry = toEntry(block, header, flag, size, pending, index);
    pending = { pax: null, longName: null, longLink: null, from: -1 };
    if (flag === 'S') await skipSparseExtensions(source, block);
    const dataOffset = source.position;
    let opened = false;
    const member: TarMember = {
      entry,
      compressedSize: null,
      dataOffset,
      body: () => {
        if (opened) throw new Error('a member body can be read only once');
        opened = true;
        return source.chunks(entry.size);
      },
      bodyNow: () => {
        if (opened) throw new Error('a member body can be read only once');
        const whole = source.readNow(entry.size);
        if (whole !== null) opened = true;
        return whole;
      },
    };
    onMember?.(member);
    yield member;
    // The source's position counts what the consumer took, whether it read all, some or none:
    // what is left of the body and its padding are passed over together.
    const left = Math.max(0, dataOffset + entry.size - source.position) + padding(entry.size);
    if (left > 0 && (source.skipNow(left) ?? (await source.skip(left))) < left) throw malformed('truncated member data', entry.name);
    index += 1;
  }
}

/** A numeric field that cannot be decoded (bad base-256) is a corrupt header, not a crash. */
function decodeHeader(block: Buffer, offset: number): HeaderFields {
  try {
    return decodeHeaderFields(block);
  } catch (error) {
    throw malformed(`undecodable header at offset ${offset}: ${(error as Error).message}`);
  }
}

async function readMeta(source: ByteSource, flag: string, size: number, pending: Pending): Promise<void> {
  if (size > MAX_META_BYTES) throw malformed(`${flag} header of ${size} bytes is larger than any name`);
  // Kept until the member it applies to is read: copied out of the source's reused buffer.
  const body = Buffer.from(await source.read(size));
  if (body.length < size) throw malformed(`truncated ${flag} header`);
  await skipPadding(source, size);
  if (flag === 'g') {
    const records = parsePax(body, null);
    // GNU tar applies a global `path` to the next member; node-tar and Python ignore it. Refuse the difference.
    for (const key of ['path', 'linkpath', 'size']) {
      if (records.has(key)) throw malformed(`global PAX header sets \`${key}\`, which readers apply differently`);
    }
    return;
  }
  if (flag === 'x') {
    if (pending.pax !== null) throw malformed('two PAX headers for one member');
    pending.pax = parsePax(body, null);
  } else if (flag === 'L') {
    if (pending.longName !== null) throw malformed('two GNU long-name headers for one member');
    pending.longName = trimTrailingNuls(body);
  } else {
    if (pending.longLink !== null) throw malformed('two GNU long-link headers for one member');
    pending.longLink = trimTrailingNuls(body);
  }
}

function toEntry(block: Buffer, header: HeaderFields, flag: string, headerSize: number, pending: Pending, index: number): Entry {
  const pax = pending.pax;
  const name = effectiveName(block, pending);
  const paxSize = pax?.get('size');
  const size = paxSize === undefined ? headerSize : decodePaxSize(paxSize, name.text);
  let type: EntryType = TYPES[flag] ?? 'unsupported';
  let typeFlag = flag === '\0' ? '\\0' : flag;
  if (pax !== null && [...pax.keys()].some((key) => key.startsWith('GNU.sparse.'))) {
    type = 'unsupported'; // PAX-format sparse file: GNU tar would expand it to other bytes
    typeFlag = 'GNU.sparse';
  }
  if ((flag === '0' || flag === '\0') && name.text.endsWith('/')) {
    // Old tars marked folders this way; readers agree only when there is no body.
    if (size !== 0) throw malformed('a regular file named like a folder has data', name.text);
    type = 'directory';
  }
  if (UNSKIPPED_DATA_FLAGS.has(flag) && size !== 0) {
    // Python does not skip data after folders, links, devices or FIFOs, GNU tar does: the next
    // "header" would differ. Unknown and sparse types are skipped by both, so they stay
    // SPECIAL_FILE members (dropped under `skip`) rather than corrupt archives.
    throw malformed(`a ${type} member has ${size} bytes of data`, name.text);
  }
  return {
    name: name.text,
    nameIsUtf8: name.valid,
    type,
    typeFlag,
    mode: header.mode === null ? null : header.mode & 0o7777,
    size,
    linkTarget: type === 'symlink' || type === 'hardlink' ? linkTarget(block, pending) : null,
    mtime: header.mtime,
    index,
  };
}

/** PAX `path` wins over GNU `L`, which wins over ustar name+prefix; two that disagree are refused. */
function effectiveName(block: Buffer, pending: Pending): { text: string; valid: boolean } {
  const paxPath = pending.pax?.get('path');
  if (paxPath !== undefined && pending.longName !== null && !paxPath.equals(pending.longName)) {
    throw malformed('PAX path and GNU long name disagree', decodeUtf8(paxPath).text);
  }
  const bytes = paxPath ?? pending.longName ?? ustarName(block);
  return decodeUtf8(bytes);
}

function linkTarget(block: Buffer, pending: Pending): string {
  const bytes = pending.pax?.get('linkpath') ?? pending.longLink ?? cString(block.subarray(157, 257));
  return decodeUtf8(bytes).text;
}

function ustarName(block: Buffer): Buffer {
  const name = cString(block.subarray(0, 100));
  const prefixField = block.subarray(345, 500);
  if (isUstarMagic(block)) {
    const prefix = cString(prefixField);
    return prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), name]) : name;
  }
  // Python joins bytes 345-500 as a prefix whatever the magic; GNU tar and node-tar do not.
  if (block[156] !== 0x53 && !isZero(prefixField)) throw malformed('a non-ustar header has a name prefix that readers disagree on', name.toString('utf8'));
  return name;
}

/** Octal, or GNU base-256 for sizes over 8 GiB. Anything else is refused, not guessed at. */
function decodeSize(block: Buffer, offset: number): number {
  const field = block.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) {
    if (field[0] !== 0x80) throw malformed(`negative or oversized base-256 size at offset ${offset}`);
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw malformed(`size too large at offset ${offset}`);
    return value;
  }
  // Octal digits, with leading spaces and trailing spaces or NULs; read byte by byte (no string:
  // this runs once a member).
  let end = field.length;
  while (end > 0 && (field[end - 1] === 0 || field[end - 1] === 0x20)) end--;
  let start = 0;
  while (start < end && field[start] === 0x20) start++;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = field[i]! - 0x30;
    if (digit < 0 || digit > 7) throw malformed(`size field is not octal at offset ${offset}`);
    value = value * 8 + digit;
  }
  return value;
}

function decodePaxSize(value: Buffer, member: string): number {
  const text = value.toString('latin1');
  if (!/^[0-9]{1,16}$/u.test(text) || !Number.isSafeInteger(Number(text))) throw malformed('PAX size is not a number', member);
  return Number(text);
}

/** Old GNU sparse headers may continue in extension blocks; they are not data. */
async function skipSparseExtensions(source: ByteSource, block: Buffer): Promise<void> {
  let extended = block[482] !== 0;
  while (extended) {
    const extension = await source.read(BLOCK);
    if (extension.length < BLOCK) throw malformed('truncated GNU sparse header');
    extended = extension[504] !== 0;
  }
}

/** After one zero block, only a second one (or the end of the file) may follow. */
async function expectEnd(source: ByteSource, pending: Pending): Promise<void> {
  if (pending.from >= 0) throw malformed(`extended header at offset ${pending.from} has no member after it`);
  const second = await source.read(BLOCK);
  if (second.length > 0 && !isZero(second)) throw malformed('a lone zero block inside the archive');
  await expectOnlyPadding(source);
}

/**
 * Writers pad a tar to its blocking factor with zeros, and readers stop at the end marker;
 * but GNU `tar -i` reads on, so anything else after the marker is a second archive hidden
 * from us. (A zip appended there is what AMBIGUOUS_FORMAT names too.)
 */
async function expectOnlyPadding(source: ByteSource): Promise<void> {
  for (let seen = 0; ;) {
    const chunk = await source.read(TRAILER_STEP);
    if (chunk.length === 0) return;
    if (!isZero(chunk)) throw new ContainerError('AMBIGUOUS_FORMAT', trailerMessage(chunk, source.position - chunk.length));
    seen += chunk.length;
    if (seen > MAX_TRAILER_BYTES) throw new ContainerError('AMBIGUOUS_FORMAT', `more than ${MAX_TRAILER_BYTES} bytes after the end-of-archive marker`);
  }
}

function trailerMessage(chunk: Buffer, offset: number): string {
  const at = chunk.findIndex((byte) => byte !== 0);
  if (at + 4 <= chunk.length && chunk.readUInt32LE(at) === 0x04034b50)
    return `a zip appended after the tar at offset ${offset + at}, which unzip, Python and Go would read`;
  return `data after the end-of-archive marker at offset ${offset + at}, which GNU tar -i reads as more members`;
}

/** Zeros after a body, up to the next 512-byte block. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

async function skipPadding(source: ByteSource, size: number): Promise<void> {
  const pad = padding(size);
  if (pad > 0 && (await source.skip(pad)) < pad) throw malformed('truncated member data');
}

/** `ustar\0` at 257 (POSIX; GNU's `ustar  ` has no prefix field). */
function isUstarMagic(block: Buffer): boolean {
  return block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
}

function cString(field: Buffer): Buffer {
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

/** GNU long names end in NUL padding; a NUL before other bytes stays so vetting refuses it. */
function trimTrailingNuls(body: Buffer): Buffer {
  let end = body.length;
  while (end > 0 && body[end - 1] === 0) end -= 1;
  return body.subarray(0, end);
}
