import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { makeZip, torchZip } from '../helpers/make-zip.js';

/** A one-member zip whose local header (at offset 0) is then edited, leaving the central directory alone. */
function withLocal(edit: (zip: Buffer) => void): Buffer {
  const zip = makeZip([{ name: 'weights.bin', body: 'twelve bytes' }]);
  edit(zip);
  return zip;
}

describe('local header against the central directory', () => {
  it.each([
    ['method', (zip: Buffer) => zip.writeUInt16LE(8, 8), /another compression method/u],
    ['encryption flag', (zip: Buffer) => zip.writeUInt16LE(zip.readUInt16LE(6) | 1, 6), /disagree on encryption/u],
    ['CRC', (zip: Buffer) => zip.writeUInt32LE(0xdeadbeef, 14), /CRC or sizes differ/u],
    ['compressed size', (zip: Buffer) => zip.writeUInt32LE(3, 18), /CRC or sizes differ/u],
    ['uncompressed size', (zip: Buffer) => zip.writeUInt32LE(4096, 22), /CRC or sizes differ/u],
  ])('a different %s is MALFORMED_ARCHIVE (streaming readers would read other bytes)', async (_what, edit, message) => {
    const report = await scan(withLocal(edit));
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'MALFORMED_ARCHIVE', member: 'weights.bin', message: expect.stringMatching(message) as unknown }),
    ]);
  });

  it('zero CRC and sizes behind a data descriptor are accepted (torch.save writes them)', async () => {
    expect((await scan(torchZip('model', { 'data.pkl': 'pickle', version: '3\n' }))).verdict).toBe('accepted');
  });

  it('0xFFFFFFFF sizes with a ZIP64 field are accepted (np.savez writes them)', async () => {
    expect((await scan(makeZip([{ name: 'arr.npy', body: 'npy data', zip64: true }]))).verdict).toBe('accepted');
  });

  it('an unedited zip is accepted, so the edits above are what is refused', async () => {
    expect((await scan(withLocal(() => undefined))).verdict).toBe('accepted');
  });
});
