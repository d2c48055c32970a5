import yauzl, { type Entry as YauzlEntry, type LocalFileHeader, type ZipFile } from 'yauzl';
import type { Entry, EntryType } from '../entry.js';
import { BlockCache } from './block-cache.js';
import { CachedYauzlReader } from './cached-yauzl-reader.js';
import { malformed, ContainerError } from './container-error.js';
import { decodeCp437 } from './cp437.js';
import { decodeUtf8 } from './decode-utf8.js';
import type { RandomAccess } from './random-access.js';
import { isSmallMember, readZipBody, zipBodyNow, type ZipBodyPlan } from './zip-body.js';
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

interface DecodedName {
  readonly text: string;
  /** False when the bytes were not valid UTF-8 (the text has replacement characters). */
  readonly valid: boolean;
}

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
 * in an unknown method. Bodies are read by us (zip-body): inflated, counted, CRC-checked.
 * yauzl's many small reads, and small members' bodies, come from a few cached 1 MiB blocks.
 */
export async function* readZip(access: RandomAccess, maxEntries: number): AsyncGenerator<ZipMember> {
  const cache = new BlockCache(access);
  const zip = await openYauzl(cache);
  if (zip.entryCount > maxEntries) {
    throw new ContainerError('LIMIT_EXCEEDED', `zip lists ${zip.entryCount} members, over the limit of ${maxEntries}`);
  }
  // Before the walk, yauzl's cursor is the central directory's offset.
  const directoryStart = zip.readEntryCursor;
  const raw = await walk(zip);
  const records = await toRecords(zip, raw, cache);
  checkLayout(records, directoryStart);
  for (const [index, record] of records.entries()) {
    const following = records[index + 1];
    let opened = false;
    const open = (): void => {
      if (opened) throw new Error('a member body can be read only once');
      // The next member's bytes are read while this one is handled: a small member after a
      // large one (a torch checkpoint) is then no wait of its own.
      if (following !== undefined && isSmallMember(following.compressedSize, following.entry.size)) cache.warm(following.dataStart, following.compressedSize);
    };
    yield {
      entry: record.entry,
      compressedSize: record.compressedSize,
      body: () => {
        open();
        opened = true;
        return readZipBody(access, cache, bodyPlan(record));
      },
      bodyNow: () => {
        open();
        const whole = zipBodyNow(cache, bodyPlan(record));
        if (whole !== null) opened = true;
        return whole;
      },
      raw: zipLayout(raw[index]!, record.dataStart, access),
    };
  }
}

function openYauzl(cache: BlockCache): Promise<ZipFile> {
  // validateEntrySizes is off because yauzl's check fails the whole walk without naming the
  // member (and calls an encrypted member a size mismatch); checkCentral makes the same check.
  const options = { lazyEntries: true, decodeStrings: false as const, validateEntrySizes: false, autoClose: false, strictFileNames: false };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: ZipFile): void => (zip === undefined ? reject(asMalformed(error)) : resolve(zip));
    // The reader closes nothing (the file belongs to our RandomAccess), so the zip is never closed.
    yauzl.fromRandomAccessReader(new CachedYauzlReader(cache), cache.size, options, done);
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

/**
 * Each member's record, in directory order: its central checks, then its local header read and
 * compared. Chained callbacks, not an await per member: the headers come from the cache, so
 * promise overhead would be most of the cost (yauzl never calls back synchronously). The next
 * member's header is read ahead while this one's is.
 */
function toRecords(zip: ZipFile, items: readonly YauzlEntry[], cache: BlockCache): Promise<ZipRecord[]> {
  return new Promise((resolve, reject) => {
    const records: ZipRecord[] = [];
    /** Runs one step; a throw ends the walk with its error. */
    const step = (work: () => void): boolean => {
      try {
        work();
        return true;
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return false;
      }
    };
    const next = (): void => {
      const index = records.length;
      const item = items[index];
      if (item === undefined) return resolve(records);
      let name = { text: '', valid: true };
      if (!step(() => (name = checkCentral(item)))) return;
      zip.readLocalFileHeader(item, (error, local) => {
        const read = step(() => {
          if (error !== null || local === undefined) throw malformed(`bad local header: ${error?.message ?? 'missing'}`, name.text);
          records.push(toRecord(item, name, local, index));
        });
        if (read) next();
      });
      // Two reads in flight where headers lie far apart (a few members of 100 MiB each).
      const following = items[index + 1];
      if (following !== undefined) cache.warm(following.relativeOffsetOfLocalHeader);
    };
    next();
  });
}

/** What the central record alone settles: the name decodes, no encryption, a method we read. Returns the name. */
function checkCentral(item: YauzlEntry): DecodedName {
  const decoded = decodeName(item.fileName, item);
  const name = decoded.text;
  if ((item.generalPurposeBitFlag & 1) !== 0) throw malformed('encrypted member', name);
  if (item.compressionMethod !== 0 && item.compressionMethod !== 8) {
    throw malformed(`unsupported compression method ${item.compressionMethod}`, name);
  }
  if (item.compressionMethod === 0 && item.compressedSize !== item.uncompressedSize) {
    throw malformed(`stored member declares ${item.compressedSize} stored and ${item.uncompressedSize} real bytes`, name);
  }
  return decoded;
}

function toRecord(item: YauzlEntry, name: DecodedName, local: LocalFileHeader, index: number): ZipRecord {
  const nameBytes = item.fileName;
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
function decodeName(bytes: Buffer, item: YauzlEntry): DecodedName {
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

function bodyPlan(record: ZipRecord): ZipBodyPlan {
  const { entry, method, crc, compressedSize, dataStart } = record;
  return { name: entry.name, size: entry.size, method, crc, compressedSize, dataStart };
}

function asMalformed(error: Error | null): ContainerError {
  return malformed(`not a readable zip: ${error?.message ?? 'unknown error'}`);
}
