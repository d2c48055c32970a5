/**
 * The zip records `clean` writes around copied member data (PKWARE APPNOTE 4.3, 4.5). Pure:
 * each returns the record's bytes. Sizes and offsets of 0xFFFFFFFF or more go to a ZIP64
 * extra field (0x0001), as readers expect.
 */

export const EXTRA_ZIP64 = 0x0001;
/** 'F','B' read as a little-endian u16: the padding field torch.save uses to align tensor data. */
export const EXTRA_TORCH_PADDING = 0x4246;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const LOCAL_HEADER_BYTES = 30;
export const U32_LIMIT = 0xffffffff;
const U16_LIMIT = 0xffff;
const VERSION_ZIP64 = 45;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

export interface ExtraField {
  readonly id: number;
  readonly data: Buffer;
}

/** The fields a member's local header and central record share. */
export interface ZipMemberFields {
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly nameBytes: Buffer;
}

export interface CentralFields extends ZipMemberFields {
  readonly versionMadeBy: number;
  readonly comment: Buffer;
  readonly internalAttributes: number;
  readonly externalAttributes: number;
  readonly headerOffset: number;
  /** Extra fields other than ZIP64, which is added here when a value needs it. */
  readonly extra: readonly ExtraField[];
}

/** Fields in order; a field whose lengths do not add up ends the list (some writers pad with zeros). */
export function parseExtraFields(bytes: Buffer): ExtraField[] {
  const fields: ExtraField[] = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = bytes.readUInt16LE(at + 2);
    if (at + 4 + length > bytes.length) break;
    fields.push({ id: bytes.readUInt16LE(at), data: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return fields;
}

export function encodeExtraFields(fields: readonly ExtraField[]): Buffer {
  return Buffer.concat(fields.map((field) => Buffer.concat([le([2, field.id], [2, field.data.length]), field.data])));
}

/** A torch-style 'FB' field that makes the data after it start on a multiple of `align`. */
export function paddingField(fieldStart: number, align: number): ExtraField {
  return { id: EXTRA_TORCH_PADDING, data: Buffer.alloc((align - ((fieldStart + 4) % align)) % align, 'Z') };
}

/**
 * A ZIP64 local extra field holds both sizes. With a data descriptor (bit 3) the local header
 * carries no CRC or sizes (zeros, or 0xFFFFFFFF pointing at a ZIP64 field of zeros), as
 * torch.save and Python write them.
 */
export function zip64LocalField(fields: ZipMemberFields): ExtraField {
  const described = (fields.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  return { id: EXTRA_ZIP64, data: le([8, described ? 0 : fields.uncompressedSize], [8, described ? 0 : fields.compressedSize]) };
}

/** `extra` is the whole local extra field, a ZIP64 field included when `zip64`. */
export function encodeLocalHeader(fields: ZipMemberFields, extra: Buffer, zip64: boolean): Buffer {
  const described = (fields.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  const size = (value: number): [4, number] => [4, zip64 ? U32_LIMIT : described ? 0 : value];
  const header = le(
    [4, SIG_LOCAL],
    [2, fields.versionNeeded],
    [2, fields.flags],
    [2, fields.method],
    [2, fields.dosTime],
    [2, fields.dosDate],
    [4, described ? 0 : fields.crc],
    size(fields.compressedSize),
    size(fields.uncompressedSize),
    [2, fields.nameBytes.length],
    [2, extra.length],
  );
  return Buffer.concat([header, fields.nameBytes, extra]);
}

/** Signed; sizes take 8 bytes when the local header has a ZIP64 field (APPNOTE 4.3.9.1). */
export function encodeDataDescriptor(fields: ZipMemberFields, zip64: boolean): Buffer {
  const width = zip64 ? 8 : 4;
  return le([4, SIG_DESCRIPTOR], [4, fields.crc], [width, fields.compressedSize], [width, fields.uncompressedSize]);
}

/** The ZIP64 field carries, in this order, only the values the record cannot hold. */
export function encodeCentralRecord(fields: CentralFields): Buffer {
  const big = (value: number): boolean => value >= U32_LIMIT;
  const zip64Values = [fields.uncompressedSize, fields.compressedSize, fields.headerOffset].filter(big);
  const zip64 = zip64Values.length > 0 ? [{ id: EXTRA_ZIP64, data: le(...zip64Values.map((value): [8, number] => [8, value])) }] : [];
  const extra = encodeExtraFields([...zip64, ...fields.extra]);
  const field = (value: number): [4, number] => [4, big(value) ? U32_LIMIT : value];
  const header = le(
    [4, SIG_CENTRAL],
    [2, fields.versionMadeBy],
    [2, zip64.length > 0 ? Math.max(fields.versionNeeded, VERSION_ZIP64) : fields.versionNeeded],
    [2, fields.flags],
    [2, fields.method],
    [2, fields.dosTime],
    [2, fields.dosDate],
    [4, fields.crc],
    field(fields.compressedSize),
    field(fields.uncompressedSize),
    [2, fields.nameBytes.length],
    [2, extra.length],
    [2, fields.comment.length],
    [2, 0], // disk number start
    [2, fields.internalAttributes],
    [4, fields.externalAttributes],
    field(fields.headerOffset),
  );
  return Buffer.concat([header, fields.nameBytes, extra, fields.comment]);
}

/**
 * The end of central directory record, preceded by a ZIP64 end record and locator when asked
 * (the input had them) or when a count, size or offset needs them. Values the classic record
 * can hold are written as they are, as Python and miniz do; the others as 0xFFFF/0xFFFFFFFF.
 */
export function encodeEndRecords(count: number, directoryOffset: number, directorySize: number, zip64Wanted: boolean): Buffer {
  const zip64 = zip64Wanted || count >= U16_LIMIT || directoryOffset >= U32_LIMIT || directorySize >= U32_LIMIT;
  const eocd = le(
    [4, SIG_EOCD],
    [2, 0], // this disk
    [2, 0], // disk with the central directory
    [2, Math.min(count, U16_LIMIT)],
    [2, Math.min(count, U16_LIMIT)],
    [4, Math.min(directorySize, U32_LIMIT)],
    [4, Math.min(directoryOffset, U32_LIMIT)],
    [2, 0], // no archive comment
  );
  if (!zip64) return eocd;
  const zip64End = le(
    [4, SIG_ZIP64_EOCD],
    [8, 44], // size of the rest of this record
    [2, VERSION_ZIP64],
    [2, VERSION_ZIP64],
    [4, 0],
    [4, 0],
    [8, count],
    [8, count],
    [8, directorySize],
    [8, directoryOffset],
  );
  const locator = le([4, SIG_ZIP64_LOCATOR], [4, 0], [8, directoryOffset + directorySize], [4, 1]);
  return Buffer.concat([zip64End, locator, eocd]);
}

type Field = [width: 2 | 4 | 8, value: number];

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
