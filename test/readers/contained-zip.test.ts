import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract, scan } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip, torchZip } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** An uncompressed .nemo whose last member is a torch checkpoint: its zip end record is in the file's tail. */
function nemoWith(checkpoint: Buffer): Buffer {
  return makeTar([
    { name: './', type: '5' },
    { name: './model_config.yaml', body: 'sample_rate: 16000\n' },
    { name: './model_weights.ckpt', body: checkpoint },
  ]);
}

describe('a zip inside the last member of an uncompressed tar (design §3 AMBIGUOUS_FORMAT)', () => {
  it('is accepted when its names are clean, and the checkpoint is extracted byte-exact', async () => {
    const checkpoint = torchZip('model_weights', { 'data.pkl': 'pickle', version: '3\n', 'data/0': Buffer.alloc(200, 7) });
    const archive = join(box.root, 'model.nemo');
    writeFileSync(archive, nemoWith(checkpoint));
    const report = await extract(archive, box.dest);
    expect(report.verdict).toBe('accepted');
    expect(report.model).toBe('nemo');
    expect(readFileSync(join(box.dest, 'model_weights.ckpt')).equals(checkpoint)).toBe(true);
  });

  it('is refused when unzip would extract a hostile member from the whole file', async () => {
    const checkpoint = torchZip('model_weights', { 'data.pkl': 'pickle', '../../../../tmp/evil.py': 'import os' });
    const scanned = await scan(nemoWith(checkpoint));
    expect(scanned.verdict).toBe('refused');
    expect(scanned.findings).toEqual([
      expect.objectContaining({ code: 'AMBIGUOUS_FORMAT', member: './model_weights.ckpt', message: expect.stringContaining('PARENT_TRAVERSAL') as unknown }),
    ]);
  });

  it('is refused when the inner zip holds a symlink', async () => {
    const checkpoint = makeZip([
      { name: 'weights/data.pkl', body: 'x' },
      { name: 'weights/lnk', body: '/etc/passwd', unixMode: 0o120777 },
    ]);
    const scanned = await scan(nemoWith(checkpoint), { policy: 'skip' });
    expect(scanned.verdict).toBe('refused');
    expect(scanned.findings[0]).toMatchObject({ code: 'AMBIGUOUS_FORMAT', action: 'refused' });
    expect(scanned.findings[0]!.message).toContain('SYMLINK');
  });

  it('is refused when the zip lies after the tar rather than inside a member', async () => {
    const tar = makeTar([{ name: 'a.txt', body: 'a' }]);
    const scanned = await scan(Buffer.concat([tar, makeZip([{ name: 'b.txt', body: 'b' }])]));
    expect(scanned.findings).toEqual([expect.objectContaining({ code: 'AMBIGUOUS_FORMAT' })]);
  });
});
