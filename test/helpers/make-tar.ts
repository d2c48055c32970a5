/**
 * Builds tar archives byte by byte from a declarative member list.
 *
 * Security tests need archives that no well-behaved tar writer will produce
 * (lying sizes, broken checksums, NULs in PAX values, names that only exist
 * through extension headers), so every field here is written as asked, with
 * no normalisation. Defaults follow GNU tar's `--format=ustar` output so a
 * plain archive built here is byte-comparable with one made by the real tool.
 */
import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';

/** One archive entry, plus the extension headers that should precede it. */
export interface TarMember {
  /**
   * Raw bytes of the 100-byte name field (utf8 if a string). Longer names are
   * truncated only when `longName` or `pax.path` carries the real name, as GNU
   * tar does; otherwise they throw so a test never silently loses its payload.
   */
  name: string | Buffer;
  /** Typeflag as a 1-char string, any byte allowed so tests can probe unknown types. */
  type?: string;
  body?: string | Buffer;
  /** Size written in the header; may disagree with `body` to test readers that trust it. */
  size?: number;
  mode?: number;
  /** Truncated to 100 bytes only when `longLink` or `pax.linkpath` carries the real target. */
  linkname?: string | Buffer;
  /** Written verbatim: the caller splits long paths between `prefix` and `name`. */
  prefix?: string | Buffer;
  /** Seconds; fixed by default so archives are reproducible. */
  mtime?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Default 0 for 'ustar' magic (as GNU tar writes), absent otherwise. */
  devmajor?: number;
  devminor?: number;
  magic?: 'ustar' | 'gnu' | 'v7';
  /** Per-file PAX records, emitted as an 'x' header just before this member. */
  pax?: Record<string, string | Buffer>;
  /** PAX records emitted as a 'g' header, which readers apply to every later member. */
  globalPax?: Record<string, string | Buffer>;
  /** GNU 'L' record: the name readers should use instead of the name field. */
  longName?: string | Buffer;
  /** GNU 'K' record: the link target readers should use instead of linkname. */
  longLink?: string | Buffer;
  badChecksum?: boolean;
  /** Exactly 12 raw bytes, for encodings the octal writer would never choose. */
  sizeField?: Buffer;
}

export interface TarOptions {
  /** Zero blocks after the last member; fewer than 2 tests readers' end-of-archive handling. */
  endBlocks?: number;
}

const BLOCK = 512;
const SLASH = 0x2f;
const DIR_TYPE = '5';
const DEFAULT_MTIME = 1_700_000_000;
const CHECKSUM_OFFSET = 148;
const CHECKSUM_LENGTH = 8;

/** [offset, length] of each header field; 'magic' spans magic and version together. */
const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [CHECKSUM_OFFSET, CHECKSUM_LENGTH],
  type: [156, 1],
  linkname: [157, 100],
  magic: [257, 8],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

type Field = keyof typeof FIELDS;

const MAGICS: Record<NonNullable<TarMember['magic']>, Buffer> = {
  ustar: Buffer.from('ustar\u000000', 'latin1'),
  gnu: Buffer.from('ustar  \u0000', 'latin1'),
  v7: Buffer.alloc(0),
};

/** The whole archive, ending with `endBlocks` zero blocks and no record padding. */
export function makeTar(members: TarMember[], options: TarOptions = {}): Buffer {
  const { endBlocks = 2 } = options;
  const entries = members.flatMap((member) => [...extensionEntries(member), member]);
  return Buffer.concat([...entries.flatMap(entryBlocks), Buffer.alloc(endBlocks * BLOCK)]);
}

/** Gzip of {@link makeTar}, for code paths that sniff compression before parsing. */
export function gzipTar(members: TarMember[], options?: TarOptions): Buffer {
  return gzipSync(makeTar(members, options));
}

/** One 512-byte header for the member itself; extension headers are makeTar's job. */
export function tarHeader(member: TarMember): Buffer {
  const block = Buffer.alloc(BLOCK);
  const type = typeflag(member);
  const magic = member.magic ?? 'ustar';
  put(block, 'name', fieldBytes(member.name, 'name', hasOverride(member.longName, member.pax?.path)));
  putNumber(block, 'mode', member.mode ?? (type === DIR_TYPE ? 0o755 : 0o644));
  putNumber(block, 'uid', member.uid ?? 0);
  putNumber(block, 'gid', member.gid ?? 0);
  put(block, 'size', sizeBytes(member));
  putNumber(block, 'mtime', member.mtime ?? DEFAULT_MTIME);
  put(block, 'type', Buffer.from(type, 'latin1'));
  if (member.linkname !== undefined) {
    const override = hasOverride(member.longLink, member.pax?.linkpath);
    put(block, 'linkname', fieldBytes(member.linkname, 'linkname', override));
  }
  put(block, 'magic', MAGICS[magic]);
  if (member.uname !== undefined) put(block, 'uname', Buffer.from(member.uname));
  if (member.gname !== undefined) put(block, 'gname', Buffer.from(member.gname));
  const deviceDefault = magic === 'ustar' ? 0 : undefined;
  putOptionalNumber(block, 'devmajor', member.devmajor ?? deviceDefault);
  putOptionalNumber(block, 'devminor', member.devminor ?? deviceDefault);
  if (member.prefix !== undefined) put(block, 'prefix', toBytes(member.prefix));
  writeChecksum(block, member.badChecksum === true);
  return block;
}

/** Sum of the header bytes with the checksum field counted as spaces, as POSIX defines it. */
export function tarChecksum(block: Buffer): number {
  if (block.length < BLOCK) throw new RangeError(`header block needs ${BLOCK} bytes, got ${block.length}`);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    const inChecksum = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH;
    sum += inChecksum ? 0x20 : (block[i] ?? 0);
  }
  return sum;
}

/**
 * PAX records in insertion order. Lengths count bytes, not characters, so
 * multi-byte and binary values exercise the reader's length parsing rather
 * than its delimiter scanning.
 */
export function paxBody(records: Record<string, string | Buffer>): Buffer {
  return Buffer.concat(Object.entries(records).map(([key, value]) => paxRecord(key, toBytes(value))));
}

function paxRecord(key: string, value: Buffer): Buffer {
  const tail = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  return Buffer.concat([Buffer.from(String(selfCountingLength(tail.length))), tail]);
}

/** Smallest total length whose own decimal digits plus `rest` bytes add up to itself. */
function selfCountingLength(rest: number): number {
  for (let digits = 1; ; digits++) {
    const total = rest + digits;
    if (String(total).length === digits) return total;
  }
}

/** Headers that must precede the member, in the order GNU tar and PAX writers use. */
function extensionEntries(member: TarMember): TarMember[] {
  const entries: TarMember[] = [];
  if (member.globalPax) entries.push({ name: 'pax_global_header', type: 'g', body: paxBody(member.globalPax) });
  if (member.pax) entries.push({ name: paxHeaderName(member.name), type: 'x', body: paxBody(member.pax) });
  if (member.longLink !== undefined) entries.push(gnuLongEntry('K', member.longLink));
  if (member.longName !== undefined) entries.push(gnuLongEntry('L', member.longName));
  return entries;
}

function gnuLongEntry(type: 'K' | 'L', value: string | Buffer): TarMember {
  const body = Buffer.concat([toBytes(value), Buffer.alloc(1)]);
  return { name: '././@LongLink', type, magic: 'gnu', mtime: 0, body };
}

/** "PaxHeader/<basename>", cut to the name field since readers ignore it anyway. */
function paxHeaderName(name: string | Buffer): Buffer {
  const bytes = toBytes(name);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === SLASH) end--;
  const start = end === 0 ? 0 : bytes.lastIndexOf(SLASH, end - 1) + 1;
  return Buffer.concat([Buffer.from('PaxHeader/'), bytes.subarray(start, end)]).subarray(0, FIELDS.name[1]);
}

function entryBlocks(member: TarMember): Buffer[] {
  const body = toBytes(member.body ?? '');
  return [tarHeader(member), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK)];
}

function typeflag(member: TarMember): string {
  const type = member.type ?? (endsWithSlash(member.name) ? DIR_TYPE : '0');
  if (type.length !== 1 || type.charCodeAt(0) > 0xff) {
    throw new RangeError(`type must be one byte-sized character, got ${JSON.stringify(type)}`);
  }
  return type;
}

function endsWithSlash(name: string | Buffer): boolean {
  const bytes = toBytes(name);
  return bytes[bytes.length - 1] === SLASH;
}

function hasOverride(...carriers: unknown[]): boolean {
  return carriers.some((carrier) => carrier !== undefined);
}

/** Field bytes, cut to fit only when an extension header carries the full value. */
function fieldBytes(value: string | Buffer, field: Field, truncate: boolean): Buffer {
  const bytes = toBytes(value);
  return truncate ? bytes.subarray(0, FIELDS[field][1]) : bytes;
}

function sizeBytes(member: TarMember): Buffer {
  if (member.sizeField === undefined) return numberBytes(member.size ?? toBytes(member.body ?? '').length, 'size');
  if (member.sizeField.length !== FIELDS.size[1]) {
    throw new RangeError(`sizeField must be ${FIELDS.size[1]} bytes, got ${member.sizeField.length}`);
  }
  return member.sizeField;
}

/**
 * GNU tar's encoding: zero-padded octal plus NUL while it fits, else base-256
 * (0x80 marker, big-endian), which is how GNU tar stores sizes of 8 GiB and up.
 */
function numberBytes(value: number, field: Field): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  const width = FIELDS[field][1];
  const digits = width - 1;
  if (value < 8 ** digits) return Buffer.from(`${value.toString(8).padStart(digits, '0')}\0`, 'latin1');
  const bytes = Buffer.alloc(width);
  for (let i = width - 1, rest = value; i > 0; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  bytes[0] = 0x80;
  return bytes;
}

function putNumber(block: Buffer, field: Field, value: number): void {
  put(block, field, numberBytes(value, field));
}

function putOptionalNumber(block: Buffer, field: Field, value: number | undefined): void {
  if (value !== undefined) putNumber(block, field, value);
}

function put(block: Buffer, field: Field, bytes: Buffer): void {
  const [offset, length] = FIELDS[field];
  if (bytes.length > length) throw new RangeError(`${field} is ${bytes.length} bytes, field holds ${length}`);
  bytes.copy(block, offset);
}

/** 6 octal digits, NUL, space: GNU tar's layout. A bad sum is off by one, so never valid. */
function writeChecksum(block: Buffer, bad: boolean): void {
  const sum = tarChecksum(block) + (bad ? 1 : 0);
  put(block, 'checksum', Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'latin1'));
}

function toBytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}
