import { crc32, createInflateRaw } from 'node:zlib';
import { Readable } from 'node:stream';
import yauzl, { type Entry as YauzlEntry, type LocalFileHeader, type ZipFile } from 'yauzl';
import type { Entry, EntryType } from '../entry.js';
import { malformed, ContainerError } from './container-error.js';
import { decodeCp437 } from './cp437.js';
import { decodeUtf8 } from './decode-utf8.js';
import { BufferAccess, FileAccess, type RandomAccess } from './random-access.js';
import { zipLayout, type ZipMember } from './zip-layout.js';

const UTF8_FLAG = 0x800;
const UNICODE_PATH = 0x7075;
const UNIX_HOST = 3;
const UNIX_TYPES: ReadonlyMap<number, EntryType> = new Map([
  [0o100000, 'file'],
  [0o040000, 'directory'],
  [0o120000, 'symlink'],
  [0o020000, 'char-device'],
  [0o060000, 'block-device'],
  [0o010000, 'fifo'],
  [0o140000, 'socket'],
]);
/** Large members are read in large chunks; small ones in one read of their own size. */
const MAX_READ = 1024 * 1024;

/** A zip member as laid out in the file, checked against its local header. */
interface ZipRecord {
  readonly entry: Entry;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly headerOffset: number;
  readonly dataStart: number;
}

/**
 * Reads a zip's members. yauzl walks the central directory (strings left undecoded, so it
 * neither rejects nor rewrites names: vetting judges them) and reads each local header;
 * the walk is checked before any member is handed out: local names equal central names,
 * no two members share bytes, none overlaps the central directory, nothing is encrypted or
 * in an unknown method. Bodies are read by us: large reads, inflated, counted, CRC-checked.
 */
export async function* readZip(access: RandomAccess, maxEntries: number): AsyncGenerator<ZipMember> {
  // Never zip.close(): yauzl's fd reader closes the descriptor on its last unref, and the
  // descriptor belongs to our RandomAccess, which closes it.
  const zip = await openYauzl(access);
  if (zip.entryCount > maxEntries) {
    throw new ContainerError('LIMIT_EXCEEDED', `zip lists ${zip.entryCount} members, over the limit of ${maxEntries}`);
  }
  // Before the walk, yauzl's cursor is the central directory's offset.
  const directoryStart = zip.readEntryCursor;
  const raw = await walk(zip);
  const records: ZipRecord[] = [];
  for (const [index, item] of raw.entries()) records.push(await toRecord(zip, item, index));
  checkLayout(records, directoryStart);
  for (const [index, record] of records.entries()) {
    yield {
      entry: record.entry,
      compressedSize: record.compressedSize,
      body: () => readBody(access, record),
      raw: zipLayout(raw[index]!, record.dataStart, access),
    };
  }
}

function openYauzl(access: RandomAccess): Promise<ZipFile> {
  // validateEntrySizes is off because yauzl's check fails the whole walk without naming the
  // member (and calls an encrypted member a size mismatch); toRecord makes the same check.
  const options = { lazyEntries: true, decodeStrings: false as const, validateEntrySizes: false, autoClose: false, strictFileNames: false };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: ZipFile): void => (zip === undefined ? reject(asMalformed(error)) : resolve(zip));
    if (access instanceof FileAccess) yauzl.fromFd(access.handle.fd, options, done);
    else if (access instanceof BufferAccess) yauzl.fromBuffer(access.buffer, options, done);
    else reject(new Error('unsupported random access source'));
  });
}

function walk(zip: ZipFile): Promise<YauzlEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: YauzlEntry[] = [];
    zip.on('entry', (entry: YauzlEntry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) => reject(asMalformed(error)));
    zip.readEntry();
  });
}

async function toRecord(zip: ZipFile, item: YauzlEntry, index: number): Promise<ZipRecord> {
  const nameBytes = item.fileName;
  const name = decodeName(nameBytes, item);
  if ((item.generalPurposeBitFlag & 1) !== 0) throw malformed('encrypted member', name.text);
  if (item.compressionMethod !== 0 && item.compressionMethod !== 8) {
    throw malformed(`unsupported compression method ${item.compressionMethod}`, name.text);
  }
  if (item.compressionMethod === 0 && item.compressedSize !== item.uncompressedSize) {
    throw malformed(`stored member declares ${item.compressedSize} stored and ${item.uncompressedSize} real bytes`, name.text);
  }
  const local = await readLocalHeader(zip, item, name.text);
  // yauzl trusts the central directory alone; other readers stream local headers.
  if (!local.fileName.equals(nameBytes)) throw malformed('local header name differs from the central directory name', name.text);
  checkLocalAgrees(local, item, name.text);
  const { type, typeFlag, mode } = memberType(item, name.text);
  return {
    entry: {
      name: name.text,
      nameIsUtf8: name.valid,
      type,
      typeFlag,
      mode,
      size: item.uncompressedSize,
      linkTarget: null,
      mtime: item.getLastModDate(),
      index,
    },
    method: item.compressionMethod,
    crc: item.crc32,
    compressedSize: item.compressedSize,
    headerOffset: item.relativeOffsetOfLocalHeader,
    dataStart: local.fileDataStart,
  };
}

/**
 * The UTF-8 flag, else code page 437. An Info-ZIP Unicode Path field (0x7075) that names
 * another file is refused: unzip and yauzl use it, Python and Go do not.
 */
function decodeName(bytes: Buffer, item: YauzlEntry): { text: string; valid: boolean } {
  const asUtf8 = decodeUtf8(bytes);
  const name = (item.generalPurposeBitFlag & UTF8_FLAG) !== 0 ? asUtf8 : { text: decodeCp437(bytes), valid: true };
  const unicode = item.extraFields.find((field) => field.id === UNICODE_PATH);
  if (unicode !== undefined) {
    const text = unicode.data.length > 5 ? decodeUtf8(unicode.data.subarray(5)).text : '';
    if (text !== name.text && text !== asUtf8.text) throw malformed(`Unicode Path field names ${JSON.stringify(text)}`, name.text);
  }
  return name;
}

function memberType(item: YauzlEntry, name: string): { type: EntryType; typeFlag: string; mode: number | null } {
  const isUnix = item.versionMadeBy >> 8 === UNIX_HOST;
  const unixMode = isUnix ? item.externalFileAttributes >>> 16 : 0;
  const typeBits = unixMode & 0o170000;
  const byName: EntryType = name.endsWith('/') ? 'directory' : 'file';
  const mode = unixMode === 0 ? null : unixMode & 0o7777;
  if (typeBits === 0) return { type: byName, typeFlag: 'zip', mode };
  const typeFlag = `zip:0o${typeBits.toString(8)}`;
  const byMode = UNIX_TYPES.get(typeBits) ?? 'unsupported';
  if (byMode === 'file' || (byMode === 'directory' && byName === 'directory')) return { type: byName, typeFlag, mode };
  // A folder mode on a name without `/` is a file to Python and unzip: the two views differ.
  return { type: byMode === 'directory' ? 'unsupported' : byMode, typeFlag, mode };
}

function readLocalHeader(zip: ZipFile, item: YauzlEntry, name: string): Promise<LocalFileHeader> {
  return new Promise((resolve, reject) => {
    zip.readLocalFileHeader(item, (error, header) => {
      if (error !== null || header === undefined) reject(malformed(`bad local header: ${error?.message ?? 'missing'}`, name));
      else resolve(header);
    });
  });
}

/**
 * Streaming readers (and unzip when it warns and goes on) take method, encryption and sizes
 * from the local header; we take them from the central directory. The two must agree, except
 * that a data descriptor lets the local CRC and sizes be zero, and ZIP64 lets sizes be 0xFFFFFFFF.
 */
function checkLocalAgrees(local: LocalFileHeader, item: YauzlEntry, name: string): void {
  if (local.compressionMethod !== item.compressionMethod) throw malformed('local header names another compression method than the central directory', name);
  if ((local.generalPurposeBitFlag & 1) !== (item.generalPurposeBitFlag & 1))
    throw malformed('local header and central directory disagree on encryption', name);
  const deferred = (local.generalPurposeBitFlag & 0x8) !== 0;
  const agrees = (localValue: number, centralValue: number): boolean =>
    localValue === centralValue || localValue === 0xffffffff || (deferred && localValue === 0);
  if (!agrees(local.crc32, item.crc32) || !agrees(local.compressedSize, item.compressedSize) || !agrees(local.uncompressedSize, item.uncompressedSize)) {
    throw malformed('local header CRC or sizes differ from the central directory', name);
  }
}

/** Members in file order must not share a byte, and must end before the central directory. */
function checkLayout(records: readonly ZipRecord[], directoryStart: number): void {
  const byOffset = [...records].sort((a, b) => a.headerOffset - b.headerOffset);
  let previousEnd = 0;
  let previousName = '';
  for (const record of byOffset) {
    if (record.headerOffset < previousEnd) throw malformed(`member overlaps ${previousName}`, record.entry.name);
    previousEnd = record.dataStart + record.compressedSize;
    previousName = record.entry.name;
    if (previousEnd > directoryStart) throw malformed('member data overlaps the central directory', record.entry.name);
  }
}

/** The member's real bytes: never more than its header says, CRC and size checked at the end. */
async function* readBody(access: RandomAccess, record: ZipRecord): AsyncGenerator<Buffer> {
  const name = record.entry.name;
  const compressed = readRange(access, record.dataStart, record.compressedSize, name);
  const chunks = record.method === 0 ? compressed : inflate(compressed, name);
  let crc = 0;
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > record.entry.size) throw malformed(`member inflates past its declared ${record.entry.size} bytes`, name);
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (size !== record.entry.size) throw malformed(`member has ${size} bytes, its header says ${record.entry.size}`, name);
  if (crc !== record.crc) throw malformed('CRC-32 mismatch', name);
}

async function* readRange(access: RandomAccess, start: number, length: number, name: string): AsyncGenerator<Buffer> {
  const step = Math.min(MAX_READ, Math.max(length, 1));
  for (let at = 0; at < length;) {
    const chunk = await access.read(start + at, Math.min(step, length - at));
    if (chunk.length === 0) throw malformed('truncated member data', name);
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

function asMalformed(error: Error | null): ContainerError {
  return malformed(`not a readable zip: ${error?.message ?? 'unknown error'}`);
}
