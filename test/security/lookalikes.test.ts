import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { expectExtracted, expectRefused, useSandbox, type Tree } from '../helpers/expect-extract.js';
import { gzipTar, makeTar, type TarMember } from '../helpers/make-tar.js';
import { makeZip, torchZip } from '../helpers/make-zip.js';
import { missingTool } from '../helpers/real-extractors.js';

// The other side of every rule (style habit 9): real model files and names that only look
// like attacks are extracted, byte for byte, with no findings.

const sandbox = useSandbox();
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const hex = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const bytes = (length: number, seed = 1): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 131 + seed * 17) % 256));

const checkpoint = torchZip('model_weights', {
  'data.pkl': Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]),
  '.format_version': '1',
  '.storage_alignment': '64',
  byteorder: 'little',
  'data/0': bytes(5000, 2),
  'data/1': Buffer.alloc(0),
  version: '3\n',
  '.data/serialization_id': '1234567890',
});

/** The shape of tarfile.open(f, 'w:') + add(model_dir, arcname='.'): PAX headers (mtime) on everything. */
function pythonStyleNemo(files: Record<string, Buffer | string>): Buffer {
  const pax = (mtime: string): Record<string, string> => ({ mtime });
  const owner = { uid: 1000, gid: 1000, uname: 'nemo', gname: 'nemo' };
  const members: TarMember[] = [{ name: './', type: '5', mode: 0o755, pax: pax('1700000000.4308774'), ...owner }];
  for (const [name, body] of Object.entries(files)) members.push({ name: `./${name}`, body, mode: 0o644, pax: pax('1700000000.5'), ...owner });
  return makeTar(members, { endBlocks: 2 });
}

describe('NeMo archives', () => {
  const files = {
    'model_config.yaml': 'target: nemo.collections.asr.models.EncDecCTCModel\nsample_rate: 16000\n',
    'model_weights.ckpt': checkpoint,
    [`${hex}_tokenizer.model`]: bytes(700, 3),
    [`${hex}_vocab.txt`]: '<unk>\na\nb\n',
  };

  it('accepts the tarfile `w:` + add(dir, arcname=".") shape, byte for byte', async () => {
    const report = await expectExtracted(sandbox(), pythonStyleNemo(files), files);
    expect(report.model).toBe('nemo');
    expect(report.findings).toEqual([]);
  });

  it('accepts the same NeMo gzip-compressed (NeMo before 1.7), byte for byte', async () => {
    await expectExtracted(sandbox(), gzipSync(pythonStyleNemo(files)), files);
  });

  it('accepts a NeMo written by Python tarfile itself', async (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const model = join(sandbox().root, 'model');
    mkdirSync(model);
    for (const [name, body] of Object.entries(files)) writeFileSync(join(model, name), body);
    const archive = join(sandbox().root, 'model.nemo');
    const script = 'import sys, tarfile\nwith tarfile.open(sys.argv[1], "w:") as t:\n    t.add(sys.argv[2], arcname=".")';
    const made = spawnSync('python3', ['-c', script, archive, model], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    await expectExtracted(sandbox(), archive, files);
  });

  it('accepts the committed fixture clean.nemo', async () => {
    const report = await expectExtracted(sandbox(), join(fixtures, 'clean.nemo'), {
      'model_config.yaml': 'target: nemo.collections.asr.models.EncDecCTCModel\nsample_rate: 16000\n',
      'model_weights.ckpt': Buffer.concat(Array.from({ length: 16 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i)))),
      [`${hex}_tokenizer.model`]: Buffer.from('\nsentencepiece-model\u0000\u0001', 'latin1'),
      [`${hex}_vocab.txt`]: '<unk>\na\nb\n',
    });
    expect(report.model).toBe('nemo');
  });

  it('refuses the committed fixture traversal.nemo (the same model plus `./../../evil.sh`)', async () => {
    await expectRefused(sandbox(), join(fixtures, 'traversal.nemo'), { code: 'PARENT_TRAVERSAL', member: './../../evil.sh' });
  });
});

describe('names that look like attacks but are not', () => {
  const names: Tree = {
    'Outer$Inner.class': 'class',
    dollar$: 'dollar',
    '$1.txt': 'one',
    '100%.txt': 'percent',
    'notes~': 'backup',
    'foo~bar': 'tilde inside',
    'a/b..c.txt': 'dots',
    '..foo': 'dot dot prefix',
    '.metadata': 'dot-file',
    '.data/serialization_id': 'serial',
    '\u00fcn\u00efc\u00f8d\u00e9/\u540d\u524d.txt': 'unicode',
    'caf\u00e9.txt': 'nfc',
    '\ud83d\ude00.txt': 'emoji',
    'with space.txt': 'space inside',
    "#hash,comma;semi@at+plus=eq[]{}()!&'.txt": 'punctuation',
    'CONSOLE.txt': 'not a device name',
    'lpt10.txt': 'not a device name either',
    'x.tar.gz': 'not an archive to us',
    [`${'n'.repeat(251)}.txt`]: '255-byte component',
    [`d/${'n'.repeat(254)}`]: '254-byte component',
  };
  const tree: Tree = { a: null, '.data': null, '\u00fcn\u00efc\u00f8d\u00e9': null, d: null, ...names };

  it('accepts them in a tar, byte for byte', async () => {
    const members: TarMember[] = Object.entries(names).map(([name, body]) =>
      Buffer.byteLength(name) > 100 ? { name: 'long', pax: { path: name }, body: body ?? '' } : { name, body: body ?? '' },
    );
    await expectExtracted(sandbox(), makeTar(members), tree);
  });

  it('accepts them in a zip, byte for byte', async () => {
    const archive = makeZip(Object.entries(names).map(([name, body]) => ({ name, body: body ?? '', method: 'deflate' as const })));
    await expectExtracted(sandbox(), archive, tree);
  });

  it('accepts `./x`, `x/`, `a//b` and `./a/./b` spellings', async () => {
    const archive = makeTar([
      { name: './x', body: 'x' },
      { name: 'd/', type: '5' },
      { name: 'd//e', body: 'e' },
      { name: './d/./f', body: 'f' },
    ]);
    await expectExtracted(sandbox(), archive, { x: 'x', d: null, 'd/e': 'e', 'd/f': 'f' });
  });

  it('accepts a name of 100 bytes split between the ustar prefix and name fields', async () => {
    const archive = makeTar([{ prefix: 'model/layers/0', name: 'weights.bin', body: 'w' }]);
    await expectExtracted(sandbox(), archive, { model: null, 'model/layers': null, 'model/layers/0': null, 'model/layers/0/weights.bin': 'w' });
  });
});

describe('PyTorch, Keras and NumPy zips', () => {
  it('accepts a torch.save zip, byte for byte', async () => {
    const stem = 'archive';
    const report = await expectExtracted(sandbox(), torchZip(stem, { 'data.pkl': 'pkl', byteorder: 'little', 'data/0': bytes(70_000), version: '3\n' }), {
      archive: null,
      'archive/data': null,
      'archive/data.pkl': 'pkl',
      'archive/byteorder': 'little',
      'archive/data/0': bytes(70_000),
      'archive/version': '3\n',
    });
    expect(report.model).toBe('pytorch');
  });

  it('accepts a Keras v3 `.keras` zip', async () => {
    const archive = makeZip([
      { name: 'metadata.json', body: '{"keras_version": "3.0.0"}', method: 'deflate' },
      { name: 'config.json', body: '{"class_name": "Sequential"}', method: 'deflate' },
      { name: 'model.weights.h5', body: bytes(3000) },
    ]);
    const report = await expectExtracted(sandbox(), archive, {
      'metadata.json': '{"keras_version": "3.0.0"}',
      'config.json': '{"class_name": "Sequential"}',
      'model.weights.h5': bytes(3000),
    });
    expect(report.model).toBe('keras');
  });

  it('accepts a NumPy `.npz` written with forced ZIP64', async () => {
    const archive = makeZip(
      [
        { name: 'a.npy', body: bytes(400), zip64: true },
        { name: 'b.npy', body: bytes(10), zip64: true, method: 'deflate' },
      ],
      { zip64End: true },
    );
    const report = await expectExtracted(sandbox(), archive, { 'a.npy': bytes(400), 'b.npy': bytes(10) });
    expect(report.model).toBe('numpy');
  });

  it('accepts an empty zip', async () => {
    await expectExtracted(sandbox(), makeZip([]), {});
  });

  it('accepts a zip made by Info-ZIP `zip -r`', async (ctx) => {
    const probe = spawnSync('zip', ['-v'], { encoding: 'utf8' });
    if (probe.error !== undefined) ctx.skip('zip is not installed');
    const src = join(sandbox().root, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'a');
    writeFileSync(join(src, 'sub', 'b.bin'), bytes(9000));
    const archive = join(sandbox().root, 'made.zip');
    const made = spawnSync('zip', ['-qrX', archive, '.'], { cwd: src, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    await expectExtracted(sandbox(), readFileSync(archive), { 'a.txt': 'a', sub: null, 'sub/b.bin': bytes(9000) });
  });
});

describe('tar.gz bundles', () => {
  it('accepts a tar.gz, byte for byte', async () => {
    const archive = gzipTar([
      { name: 'bundle/', type: '5' },
      { name: 'bundle/config.json', body: '{}' },
      { name: 'bundle/weights.bin', body: bytes(200_000) },
      { name: 'bundle/empty', body: '' },
    ]);
    await expectExtracted(sandbox(), archive, { bundle: null, 'bundle/config.json': '{}', 'bundle/weights.bin': bytes(200_000), 'bundle/empty': '' });
  });

  it('accepts a tar.gz made by GNU tar', async (ctx) => {
    const missing = missingTool('tar');
    if (missing !== null) ctx.skip(missing);
    const src = join(sandbox().root, 'src');
    mkdirSync(join(src, 'm', 'sub'), { recursive: true });
    writeFileSync(join(src, 'm', 'a.txt'), 'a');
    writeFileSync(join(src, 'm', 'sub', 'w.bin'), bytes(30_000));
    const archive = join(sandbox().root, 'm.tgz');
    const made = spawnSync('tar', ['-czf', archive, '-C', src, 'm'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    await expectExtracted(sandbox(), readFileSync(archive), { m: null, 'm/a.txt': 'a', 'm/sub': null, 'm/sub/w.bin': bytes(30_000) });
  });

  it('scan of a clean tar.gz reports nothing', async () => {
    const report = await scan(gzipTar([{ name: 'a', body: 'a' }]));
    expect(report).toMatchObject({ verdict: 'accepted', format: 'tar', compression: 'gzip', findings: [] });
  });
});
