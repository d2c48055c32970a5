import { describe, expect, it } from 'vitest';
import {
  encodeCentralRecord,
  encodeDataDescriptor,
  encodeEndRecords,
  encodeLocalHeader,
  paddingField,
  parseExtraFields,
  zip64LocalField,
  type CentralFields,
} from '../../src/write/encode-zip-records.js';

const small: CentralFields = {
  versionMadeBy: 0x031e,
  versionNeeded: 20,
  flags: 0x0808,
  method: 0,
  dosTime: 0x6e8a,
  dosDate: 0x576e,
  crc: 0x12345678,
  compressedSize: 10,
  uncompressedSize: 10,
  nameBytes: Buffer.from('archive/data.pkl'),
  comment: Buffer.alloc(0),
  internalAttributes: 0,
  externalAttributes: 0o100644 * 0x10000,
  headerOffset: 0,
  extra: [],
};

describe('zip records', () => {
  it('a central record needs no ZIP64 field while values fit in 32 bits', () => {
    const record = encodeCentralRecord(small);
    expect(record.length).toBe(46 + small.nameBytes.length);
    expect([record.readUInt16LE(6), record.readUInt32LE(42), record.readUInt32LE(38)]).toEqual([20, 0, 0o100644 * 0x10000]);
  });

  it('a central record past 4 GiB carries only the offset in its ZIP64 field, and needs version 4.5', () => {
    const record = encodeCentralRecord({ ...small, headerOffset: 5 * 1024 ** 3 });
    expect(record.readUInt32LE(42)).toBe(0xffffffff);
    expect(record.readUInt32LE(20)).toBe(10);
    expect(record.readUInt16LE(6)).toBe(45);
    const extra = parseExtraFields(record.subarray(46 + small.nameBytes.length));
    expect(extra).toEqual([{ id: 1, data: Buffer.from([0, 0, 0, 0x40, 1, 0, 0, 0]) }]);
  });

  it('a large member lists its sizes in the ZIP64 field, uncompressed first', () => {
    const big = 6 * 1024 ** 3;
    const record = encodeCentralRecord({ ...small, compressedSize: big, uncompressedSize: big + 1 });
    const [field] = parseExtraFields(record.subarray(46 + small.nameBytes.length));
    expect([field!.data.readBigUInt64LE(0), field!.data.readBigUInt64LE(8)]).toEqual([BigInt(big + 1), BigInt(big)]);
  });

  it('a described local header has no CRC or sizes; a ZIP64 one points at a field of zeros', () => {
    const local = encodeLocalHeader(small, Buffer.alloc(0), false);
    expect([local.readUInt32LE(14), local.readUInt32LE(18), local.readUInt32LE(22)]).toEqual([0, 0, 0]);
    const field = zip64LocalField(small);
    expect(field.data).toEqual(Buffer.alloc(16));
    const wide = encodeLocalHeader(small, Buffer.alloc(0), true);
    expect([wide.readUInt32LE(18), wide.readUInt32LE(22)]).toEqual([0xffffffff, 0xffffffff]);
    expect(encodeDataDescriptor(small, true).length).toBe(24);
    expect(encodeDataDescriptor(small, false).toString('hex')).toBe('504b0708785634120a0000000a000000');
  });

  it('the FB padding field makes the data after it start on the boundary', () => {
    for (const start of [0, 1, 59, 60, 61, 63, 64, 1000]) {
      const field = paddingField(start, 64);
      expect((start + 4 + field.data.length) % 64).toBe(0);
      expect(field.data.length).toBeLessThan(64);
    }
  });

  it('ZIP64 end records when asked or needed, with the classic values that fit', () => {
    expect(encodeEndRecords(3, 100, 50, false).length).toBe(22);
    const wanted = encodeEndRecords(3, 100, 50, true);
    expect(wanted.length).toBe(56 + 20 + 22);
    expect(wanted.readUInt16LE(56 + 20 + 8)).toBe(3);
    expect(wanted.readBigUInt64LE(56 + 8)).toBe(150n);
    const many = encodeEndRecords(70_000, 100, 50, false);
    expect(many.length).toBe(98);
    expect(many.readUInt16LE(56 + 20 + 8)).toBe(0xffff);
    expect(many.readBigUInt64LE(24)).toBe(70_000n);
  });
});
