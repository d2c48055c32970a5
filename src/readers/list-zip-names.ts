import { findZipEnd, ZIP_TAIL_BYTES } from '../detect/find-zip-end.js';
import type { VetInput } from '../vet/vet-entry.js';
import { malformed } from './container-error.js';
import { decodeCp437 } from './cp437.js';
import { decodeUtf8 } from './decode-utf8.js';
import type { RandomAccess } from './random-access.js';

const CENTRAL = 0x02014b50;
const ZIP64_END = 0x06064b50;
/** A central directory is names and 46-byte records; larger ones are refused, never buffered. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

/**
 * The members a zip lying in bytes [start, end) of a file declares in its central directory,
 * as readers that find zips from the end (unzip, Python, Go) would list them: for vetting the
 * zip that an uncompressed .nemo carries as its torch checkpoint. Reads only the directory.
 */
export async function listZipNames(access: RandomAccess, start: number, end: number): Promise<VetInput[]> {
  const tailStart = Math.max(start, end - ZIP_TAIL_BYTES);
  const zipEnd = findZipEnd(await access.read(tailStart, end - tailStart), tailStart, end);
  if (zipEnd === null) throw malformed('contained zip has no end record');
  const eocd = await access.read(zipEnd.offset, 22);
  let count = eocd.readUInt16LE(10);
  let size = eocd.readUInt32LE(12);
  let directoryStart = zipEnd.directoryEnd - size;
  if (size === 0xffffffff || count === 0xffff) {
    // ZIP64: the locator just before the end record says where the ZIP64 end record is, relative to the zip's start.
    const locator = await access.read(zipEnd.offset - 20, 20);
    const record = await access.read(start + Number(locator.readBigUInt64LE(8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END) throw malformed('contained zip has a bad ZIP64 end record');
    count = Number(record.readBigUInt64LE(32));
    size = Number(record.readBigUInt64LE(40));
    directoryStart = start + Number(record.readBigUInt64LE(48));
  }
  if (size > MAX_DIRECTORY_BYTES) throw malformed('contained zip has an oversized central directory');
  if (directoryStart < start || directoryStart + size > end) throw malformed('contained zip directory lies outside its member');
  return parseDirectory(await access.read(directoryStart, size), count);
}

function parseDirectory(directory: Buffer, count: number): VetInput[] {
  const members: VetInput[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw malformed('contained zip has a bad central directory');
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const skip = nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    const bytes = directory.subarray(at + 46, at + 46 + nameLength);
    const name = (flags & 0x800) !== 0 ? decodeUtf8(bytes) : { text: decodeCp437(bytes), valid: true };
    const unixMode = directory.readUInt16LE(at + 4) >> 8 === 3 ? directory.readUInt32LE(at + 38) >>> 16 : 0;
    const isLink = (unixMode & 0o170000) === 0o120000;
    members.push({
      name: name.text,
      nameIsUtf8: name.valid,
      type: isLink ? 'symlink' : name.text.endsWith('/') ? 'directory' : 'file',
      typeFlag: 'zip',
      mode: null,
      size: 0,
      linkTarget: null,
    });
    at += 46 + skip;
  }
  return members;
}
