// The part of yauzl 3's API slipguard uses (@types/yauzl describes version 2, without
// readLocalFileHeader). Strings are never decoded by yauzl here, so names are Buffers.
declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    lazyEntries: boolean;
    decodeStrings: false;
    validateEntrySizes: boolean;
    autoClose: boolean;
    strictFileNames: boolean;
  }

  interface ExtraField {
    id: number;
    data: Buffer;
  }

  interface Entry {
    fileName: Buffer;
    extraFields: ExtraField[];
    versionMadeBy: number;
    versionNeededToExtract: number;
    generalPurposeBitFlag: number;
    compressionMethod: number;
    crc32: number;
    compressedSize: number;
    uncompressedSize: number;
    lastModFileTime: number;
    lastModFileDate: number;
    internalFileAttributes: number;
    externalFileAttributes: number;
    relativeOffsetOfLocalHeader: number;
    fileComment: Buffer;
    getLastModDate(): Date;
  }

  interface LocalFileHeader {
    fileName: Buffer;
    fileDataStart: number;
    generalPurposeBitFlag: number;
    compressionMethod: number;
    crc32: number;
    compressedSize: number;
    uncompressedSize: number;
  }

  interface ZipFile extends EventEmitter {
    entryCount: number;
    /** Where the next central record is read: the directory's offset before the walk. */
    readEntryCursor: number;
    readEntry(): void;
    readLocalFileHeader(entry: Entry, callback: (error: Error | null, header?: LocalFileHeader) => void): void;
    close(): void;
  }

  type Callback = (error: Error | null, zip?: ZipFile) => void;

  /** The source yauzl reads from; subclasses override read (or _readStreamForRange). */
  class RandomAccessReader extends EventEmitter {
    read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, bytesRead?: number) => void): void;
  }

  interface Yauzl {
    fromFd(fd: number, options: Options, callback: Callback): void;
    fromBuffer(buffer: Buffer, options: Options, callback: Callback): void;
    fromRandomAccessReader(reader: RandomAccessReader, totalSize: number, options: Options, callback: Callback): void;
    RandomAccessReader: typeof RandomAccessReader;
  }

  const yauzl: Yauzl;
  export default yauzl;
  export type { Entry, LocalFileHeader, ZipFile };
}
