import type { Entry as YauzlEntry } from 'yauzl';
import type { ArchiveMember } from './archive-member.js';
import type { RandomAccess } from './random-access.js';

/**
 * How a zip member is stored, as its central record and local header say: what `clean`
 * needs to copy the member's stored bytes without re-compressing them. Sizes and offsets
 * are the real (ZIP64-resolved) values.
 */
export interface ZipLayout {
  /** The archive's bytes, for positional reads of the stored data and local header. */
  readonly source: RandomAccess;
  readonly headerOffset: number;
  /** Where the stored data starts (after the local header, its name and extra field). */
  readonly dataStart: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly internalAttributes: number;
  readonly externalAttributes: number;
  /** The central record's name, comment and extra fields, as stored (undecoded). */
  readonly nameBytes: Buffer;
  readonly comment: Buffer;
  readonly centralExtra: readonly { readonly id: number; readonly data: Buffer }[];
}

/** A member of a zip: its layout comes with it. */
export interface ZipMember extends ArchiveMember {
  readonly raw: ZipLayout;
}

export function isZipMember(member: ArchiveMember): member is ZipMember {
  return 'raw' in member;
}

export function zipLayout(item: YauzlEntry, dataStart: number, source: RandomAccess): ZipLayout {
  return {
    source,
    headerOffset: item.relativeOffsetOfLocalHeader,
    dataStart,
    compressedSize: item.compressedSize,
    uncompressedSize: item.uncompressedSize,
    method: item.compressionMethod,
    flags: item.generalPurposeBitFlag,
    crc: item.crc32,
    versionMadeBy: item.versionMadeBy,
    versionNeeded: item.versionNeededToExtract,
    dosTime: item.lastModFileTime,
    dosDate: item.lastModFileDate,
    internalAttributes: item.internalFileAttributes,
    externalAttributes: item.externalFileAttributes,
    nameBytes: item.fileName,
    comment: item.fileComment,
    centralExtra: item.extraFields,
  };
}
