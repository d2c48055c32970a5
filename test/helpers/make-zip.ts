/**
 * Builds zip archives byte by byte from a declarative member list.
 *
 * Real zip writers refuse to produce the hostile shapes security tests need
 * (names that differ between local and central headers, overlapping entries,
 * lying sizes...), and checked-in binary fixtures hide what they contain. This
 * builder writes exactly what each member asks for and nothing it does not, so
 * a test reads as the description of its archive.
 *
 * Layout reference: PKWARE APPNOTE.TXT sections 4.3 and 4.5.
 */
import { Buffer } from 'node:buffer';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  /** Central-directory name: raw bytes if a Buffer, UTF-8 if a string. */
  name: string | Buffer;
  /** Local-header name, default `name`; set it to make the two headers disagree. */
  localName?: string | Buffer;
  /** Uncompressed content, default empty. */
  body?: string | Buffer;
  /**
   * Default 'stored'. A number writes that raw method id (e.g. 99 for AES, 12
   * for bzip2) with the body stored as is, to test unsupported-method paths.
   */
  method?: 'stored' | 'deflate' | number;
  /**
   * Full st_mode including type bits (0o120777 symlink, 0o100644 file,
   * 0o040755 dir). Readers only trust the high external-attribute word when the
   * host is Unix, so this also sets version-made-by host 3.
   */
  unixMode?: number;
  /** General purpose bit 11; default true when a name is not pure ASCII. */
  utf8Flag?: boolean;
  /**
   * Adds an Info-ZIP Unicode Path extra field (0x7075) to both headers. Readers
   * that honour it show this name instead of the header name, so one archive
   * can name a member differently to different tools.
   */
  unicodePath?: string | Buffer;
  /** Sets general purpose bit 0 only; the body is written as is. */
  encrypted?: boolean;
  /**
   * Streaming-writer shape (torch.save): bit 3 set, zero CRC and sizes in the
   * local header, and a signed data descriptor after the data (8-byte sizes
   * when `zip64`), so readers must take sizes from the central directory.
   */
  dataDescriptor?: boolean;
  /** CRC-32 to declare instead of the real one (central, descriptor, and local unless dataDescriptor). */
  crc?: number;
  /** Compressed size to declare everywhere instead of the real one. */
  compressedSize?: number;
  /** Uncompressed size to declare everywhere instead of the real one. */
  uncompressedSize?: number;
  /**
   * Writes sizes (and the central offset) as 0xFFFFFFFF with the real values
   * in a ZIP64 extra field (0x0001) in both headers, so the 64-bit parsing
   * path runs without needing a 4 GiB fixture.
   */
  zip64?: boolean;
  /**
   * Pads the local extra field with a torch-style 'FB' field (0x4246) so the
   * data starts at a multiple of this many bytes from the start of the file,
   * as torch.save does (64) to allow mmap-ing tensors in place.
   */
  align?: number;
  /**
   * Points this central entry at member #k's local header and writes no local
   * header or data of its own: overlapping entries, as in Fifield's zip bomb.
   */
  localHeaderOf?: number;
  /** Default 2023-11-14T22:13:20Z; stored as its UTC wall clock so output does not depend on TZ. */
  mtime?: Date;
  /** Raw extra-field bytes appended to the local header's extra field. */
  extraLocal?: Buffer;
  /** Raw extra-field bytes appended to the central header's extra field. */
  extraCentral?: Buffer;
}

export interface ZipOptions {
  /**
   * Bytes before the first local header (self-extracting and appended-zip
   * shapes). Offsets still count from the start of the file, as `zip -A`
   * leaves them, so conforming readers find every entry.
   */
  prefix?: Buffer;
  /** End-of-central-directory comment. */
  comment?: string | Buffer;
  /**
   * Also writes a ZIP64 end-of-central-directory record and locator, and puts
   * 0xFFFF/0xFFFFFFFF in the classic record so a reader can only find the
   * central directory by following the locator.
   */
  zip64End?: boolean;
  /** Indices of members whose central record is written a second time, after the others. */
  duplicateCentral?: number[];
  /**
   * Indices of the central records in order, default member order. Members
   * left out keep their local header but get no central record.
   */
  centralOrder?: number[];
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

const EXTRA_ZIP64 = 0x0001;
const EXTRA_UNICODE_PATH = 0x7075;
/** 'F','B' read as a little-endian u16, the id PyTorch uses for its padding. */
const EXTRA_TORCH_PADDING = 0x4246;

const HOST_UNIX = 3;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EOCD_SIZE = 56;
/** The ZIP64 EOCD size field excludes its own 12 leading bytes. */
const ZIP64_EOCD_SIZE_FIELD = ZIP64_EOCD_SIZE - 12;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const NOTHING = Buffer.alloc(0);

const DEFAULT_MTIME = new Date(Date.UTC(2023, 10, 14, 22, 13, 20));

/** What a header declares; differs from the truth when a test lies. */
interface Declared {
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** A member with every default applied and its bytes computed. */
interface Entry {
  member: ZipMember;
  name: Buffer;
  localName: Buffer;
  data: Buffer;
  method: number;
  flags: number;
  declared: Declared;
  unicodeExtra: Buffer;
}

type Field = [width: 2 | 4 | 8, value: number];

/** Little-endian fixed-width fields, in order; out-of-range values throw. */
function le(...fields: Field[]): Buffer {
  const out = Buffer.alloc(fields.reduce((sum, [width]) => sum + width, 0));
  let at = 0;
  for (const [width, value] of fields) {
    if (width === 2) out.writeUInt16LE(value, at);
    else if (width === 4) out.writeUInt32LE(value, at);
    else out.writeBigUInt64LE(BigInt(value), at);
    at += width;
  }
  return out;
}

function extraField(id: number, data: Buffer): Buffer {
  return Buffer.concat([le([2, id], [2, data.length]), data]);
}

function bytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function isAscii(value: Buffer): boolean {
  return value.every((byte) => byte < 0x80);
}

function entryAt(entries: readonly Entry[], index: number): Entry {
  const entry = entries[index];
  if (entry === undefined) throw new RangeError(`central entry ${index} is not a member index`);
  return entry;
}

function encode(method: ZipMember['method'], body: Buffer): { method: number; data: Buffer } {
  if (method === undefined || method === 'stored') return { method: 0, data: body };
  if (method === 'deflate') return { method: 8, data: deflateRawSync(body) };
  return { method, data: body };
}

/** Version 1, then the CRC-32 a reader compares with the header name before trusting the path. */
function unicodePathField(headerName: Buffer, path: Buffer): Buffer {
  return extraField(EXTRA_UNICODE_PATH, Buffer.concat([Buffer.of(1), le([4, crc32(headerName)]), path]));
}

function resolve(member: ZipMember): Entry {
  const name = bytes(member.name);
  const localName = bytes(member.localName ?? member.name);
  const body = bytes(member.body ?? '');
  const { method, data } = encode(member.method, body);
  const utf8 = member.utf8Flag ?? !(isAscii(name) && isAscii(localName));
  const flags = (member.encrypted ? FLAG_ENCRYPTED : 0) | (member.dataDescriptor ? FLAG_DATA_DESCRIPTOR : 0) | (utf8 ? FLAG_UTF8 : 0);
  const declared = {
    crc: member.crc ?? crc32(body),
    compressedSize: member.compressedSize ?? data.length,
    uncompressedSize: member.uncompressedSize ?? body.length,
  };
  const unicodeExtra = member.unicodePath === undefined ? NOTHING : unicodePathField(name, bytes(member.unicodePath));
  return { member, name, localName, data, method, flags, declared, unicodeExtra };
}

function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function versionNeeded(entry: Entry): number {
  return entry.member.zip64 ? VERSION_ZIP64 : VERSION_DEFAULT;
}

/** The fields both headers share, from version-needed to uncompressed size. */
function commonFields(entry: Entry, declared: Declared): Field[] {
  const { time, date } = dosDateTime(entry.member.mtime ?? DEFAULT_MTIME);
  const size = (value: number): Field => [4, entry.member.zip64 ? U32_MAX : value];
  return [
    [2, versionNeeded(entry)],
    [2, entry.flags],
    [2, entry.method],
    [2, time],
    [2, date],
    [4, declared.crc],
    size(declared.compressedSize),
    size(declared.uncompressedSize),
  ];
}

/** An 'FB' field sized so the data after it starts on an `align` boundary. */
function paddingField(fieldStart: number, align: number): Buffer {
  const dataStart = fieldStart + 4;
  return extraField(EXTRA_TORCH_PADDING, Buffer.alloc((align - (dataStart % align)) % align, 'Z'));
}

function descriptor(entry: Entry): Buffer {
  if (!entry.member.dataDescriptor) return NOTHING;
  const width = entry.member.zip64 ? 8 : 4;
  const { crc, compressedSize, uncompressedSize } = entry.declared;
  return le([4, SIG_DESCRIPTOR], [4, crc], [width, compressedSize], [width, uncompressedSize]);
}

function localRecord(entry: Entry, offset: number): Buffer {
  const { member } = entry;
  const declared = member.dataDescriptor ? { crc: 0, compressedSize: 0, uncompressedSize: 0 } : entry.declared;
  const zip64Extra = member.zip64 ? extraField(EXTRA_ZIP64, le([8, declared.uncompressedSize], [8, declared.compressedSize])) : NOTHING;
  let extra = Buffer.concat([zip64Extra, entry.unicodeExtra, member.extraLocal ?? NOTHING]);
  if (member.align !== undefined) {
    const fieldStart = offset + LOCAL_HEADER_SIZE + entry.localName.length + extra.length;
    extra = Buffer.concat([extra, paddingField(fieldStart, member.align)]);
  }
  const header = le([4, SIG_LOCAL], ...commonFields(entry, declared), [2, entry.localName.length], [2, extra.length]);
  return Buffer.concat([header, entry.localName, extra, entry.data, descriptor(entry)]);
}

function centralRecord(entry: Entry, localOffset: number): Buffer {
  const { member, declared } = entry;
  const zip64Extra = member.zip64 ? extraField(EXTRA_ZIP64, le([8, declared.uncompressedSize], [8, declared.compressedSize], [8, localOffset])) : NOTHING;
  const extra = Buffer.concat([zip64Extra, entry.unicodeExtra, member.extraCentral ?? NOTHING]);
  const host = member.unixMode === undefined ? 0 : HOST_UNIX;
  const header = le(
    [4, SIG_CENTRAL],
    [2, (host << 8) | versionNeeded(entry)],
    ...commonFields(entry, declared),
    [2, entry.name.length],
    [2, extra.length],
    [2, 0], // comment length
    [2, 0], // disk number start
    [2, 0], // internal attributes
    [4, (member.unixMode ?? 0) * 0x10000],
    [4, member.zip64 ? U32_MAX : localOffset],
  );
  return Buffer.concat([header, entry.name, extra]);
}

function endRecords(count: number, centralOffset: number, centralSize: number, options: ZipOptions): Buffer {
  const comment = bytes(options.comment ?? '');
  const big = options.zip64End === true;
  const eocd = le(
    [4, SIG_EOCD],
    [2, 0], // this disk
    [2, 0], // disk holding the central directory
    [2, big ? U16_MAX : count],
    [2, big ? U16_MAX : count],
    [4, big ? U32_MAX : centralSize],
    [4, big ? U32_MAX : centralOffset],
    [2, comment.length],
  );
  if (!big) return Buffer.concat([eocd, comment]);
  const zip64Eocd = le(
    [4, SIG_ZIP64_EOCD],
    [8, ZIP64_EOCD_SIZE_FIELD],
    [2, VERSION_ZIP64], // made by
    [2, VERSION_ZIP64], // needed to extract
    [4, 0], // this disk
    [4, 0], // disk holding the central directory
    [8, count],
    [8, count],
    [8, centralSize],
    [8, centralOffset],
  );
  const locator = le([4, SIG_ZIP64_LOCATOR], [4, 0], [8, centralOffset + centralSize], [4, 1]);
  return Buffer.concat([zip64Eocd, locator, eocd, comment]);
}

/** Builds a zip archive; see ZipMember and ZipOptions for every knob. */
export function makeZip(members: ZipMember[], options: ZipOptions = {}): Buffer {
  const entries = members.map(resolve);
  const prefix = options.prefix ?? NOTHING;
  const chunks = [prefix];
  const localOffsets = new Map<number, number>();
  let offset = prefix.length;
  entries.forEach((entry, index) => {
    if (entry.member.localHeaderOf !== undefined) return;
    const record = localRecord(entry, offset);
    localOffsets.set(index, offset);
    chunks.push(record);
    offset += record.length;
  });

  const localOffsetFor = (index: number): number => {
    const owner = entryAt(entries, index).member.localHeaderOf ?? index;
    const found = localOffsets.get(owner);
    if (found === undefined) throw new RangeError(`member ${owner} has no local header to point at`);
    return found;
  };
  const order = [...(options.centralOrder ?? entries.map((_, index) => index)), ...(options.duplicateCentral ?? [])];
  const central = Buffer.concat(order.map((index) => centralRecord(entryAt(entries, index), localOffsetFor(index))));

  return Buffer.concat([...chunks, central, endRecords(order.length, offset, central.length, options)]);
}

/**
 * The shape of a torch.save checkpoint as PyTorchStreamWriter (miniz) writes
 * it: records '<stem>/<file>' in the given order, all stored, UTF-8 flag,
 * data 64-byte aligned by an 'FB' local extra, a data descriptor after each
 * non-empty record (miniz writes none, and clears bit 3, for empty ones), and
 * ZIP64 end records. Detectors and extractors must accept this as benign.
 * One difference: via `zip64End` the classic end record holds 0xFFFF and
 * 0xFFFFFFFF where miniz writes the real (small) counts and offsets.
 */
export function torchZip(stem: string, files: Record<string, string | Buffer>): Buffer {
  const members = Object.entries(files).map(([file, body]): ZipMember => ({
    name: `${stem}/${file}`,
    body,
    utf8Flag: true,
    dataDescriptor: bytes(body).length > 0,
    align: 64,
  }));
  return makeZip(members, { zip64End: true });
}
