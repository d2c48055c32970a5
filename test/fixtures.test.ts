import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extract, scan, type Compression, type ModelKind } from '../src/index.js';
import { sha256, useSandbox } from './helpers/expect-extract.js';
import { missingTool } from './helpers/real-extractors.js';
import { FIXTURES } from './helpers/run-cli.js';
import { listTree } from './helpers/sandbox.js';

// Every committed model fixture (fixtures/make-fixtures.py writes them as NeMo, torch.save,
// Keras, NumPy, torch-model-archiver and the model hubs' tar tools do, with manifest.json): the
// `model` reported, and extraction checked byte for byte against what the script wrote.

interface Expected {
  readonly model: ModelKind | null;
  readonly format: 'tar' | 'zip';
  readonly compression: Compression | null;
  readonly directories: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<string, Expected>;
const sandbox = useSandbox();
const xzLoadable = await import('node-liblzma').then(
  () => true,
  () => false,
);

describe('the fixtures manifest', () => {
  it('covers every model kind, plain and gzip NeMo, tensor-parallel and distributed NeMo, and gzip, bzip2, xz and zstd bundles', () => {
    const kinds = new Set(Object.values(manifest).map((entry) => entry.model));
    expect([...kinds].sort()).toEqual(['keras', 'nemo', 'numpy', 'pytorch', 'torchserve', null].sort());
    expect(Object.keys(manifest).sort()).toEqual([
      'arrays.npz',
      'bundle.tar.bz2',
      'bundle.tar.gz',
      'bundle.tar.xz',
      'bundle.tar.zst',
      'checkpoint.pt',
      'clean-gz.nemo',
      'clean.nemo',
      'distributed.nemo',
      'model.keras',
      'pipeline-parallel.nemo',
      'tensor-parallel.nemo',
      'tiny.mar',
    ]);
  });
});

describe.each(Object.entries(manifest))('%s', (fixture, expected) => {
  const path = join(FIXTURES, fixture);
  const readable = expected.compression !== 'xz' || xzLoadable;

  it.runIf(readable)(
    `is reported as model ${String(expected.model)}, ${expected.format}${expected.compression === null ? '' : `+${expected.compression}`}, and extracts byte for byte`,
    async () => {
      const report = await extract(path, sandbox().dest);
      expect(report).toMatchObject({ model: expected.model, format: expected.format, compression: expected.compression, verdict: 'accepted', findings: [] });
      const wanted = [...expected.directories.map((dir) => `${dir}/`), ...Object.keys(expected.files)].sort();
      expect(listTree(sandbox().dest).sort()).toEqual(wanted);
      for (const [file, hash] of Object.entries(expected.files)) expect(sha256(readFileSync(join(sandbox().dest, file))), file).toBe(hash);
      const scanned = await scan(path);
      expect(scanned).toMatchObject({ model: expected.model, verdict: 'accepted', entries: report.entries });
    },
  );

  it.runIf(!readable)('is refused with ERR_UNSUPPORTED_FORMAT where node-liblzma cannot load', async () => {
    await expect(extract(path, sandbox().dest)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
    expect(listTree(sandbox().dest)).toEqual([]);
  });
});

describe('fixtures/make-fixtures.py', () => {
  const out = mkdtempSync(join(tmpdir(), 'slipguard-fixtures-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the committed manifest and, for formats without a compressor in them, the committed bytes', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const made = spawnSync('python3', [join(FIXTURES, 'make-fixtures.py'), '--out', out], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));
    // Deflate, bzip2, xz and zstd output depends on the library build; stored zips and plain tars do not.
    for (const fixture of [
      'clean.nemo',
      'traversal.nemo',
      'tensor-parallel.nemo',
      'pipeline-parallel.nemo',
      'distributed.nemo',
      'checkpoint.pt',
      'model.keras',
      'arrays.npz',
    ]) {
      expect(readFileSync(join(out, fixture)).equals(readFileSync(join(FIXTURES, fixture))), fixture).toBe(true);
    }
  });

  it('writes arrays.npz exactly as numpy np.savez does (when numpy is installed)', (ctx) => {
    if (spawnSync('python3', ['-c', 'import numpy']).status !== 0) ctx.skip('numpy is not installed');
    const file = join(out, 'np-savez.npz');
    const script = `import sys, numpy as np
np.savez(sys.argv[1], weights=np.array([i / 8 for i in range(32)], dtype="<f4").reshape(4, 8), bias=np.array([-1, 0, 1], dtype="<i8"))`;
    const made = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(readFileSync(file).equals(readFileSync(join(FIXTURES, 'arrays.npz')))).toBe(true);
  });
});
