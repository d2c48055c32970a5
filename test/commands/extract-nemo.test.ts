import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, extractNemo } from '../../src/index.js';
import { pythonCompress } from '../helpers/compress.js';
import { useSandbox } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { torchZip } from '../helpers/make-zip.js';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

const sandbox = useSandbox();
const hex = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const config = 'target: nemo.collections.asr.models.EncDecCTCModel\n';
const checkpoint = torchZip('model_weights', { 'data.pkl': 'pkl', version: '3\n', 'data/0': Buffer.alloc(300, 1) });

describe('extractNemo on the committed NeMo fixtures', () => {
  it.each([
    ['clean.nemo', ['model_weights.ckpt'], [`${hex}_tokenizer.model`, `${hex}_vocab.txt`]],
    ['clean-gz.nemo', ['model_weights.ckpt'], [`${hex}_tokenizer.model`, `${hex}_vocab.txt`]],
    ['tensor-parallel.nemo', ['mp_rank_00/model_weights.ckpt', 'mp_rank_01/model_weights.ckpt'], [`${hex}_tokenizer.model`]],
    [
      'pipeline-parallel.nemo',
      [
        'tp_rank_00_pp_rank_000/model_weights.ckpt',
        'tp_rank_00_pp_rank_001/model_weights.ckpt',
        'tp_rank_01_pp_rank_000/model_weights.ckpt',
        'tp_rank_01_pp_rank_001/model_weights.ckpt',
      ],
      [`${hex}_tokenizer.model`],
    ],
    ['distributed.nemo', ['model_weights'], [`${hex}_tokenizer.model`]],
  ])('%s: config, weights %j, artifacts, as absolute paths', async (fixture, weights, artifacts) => {
    const dest = sandbox().dest;
    const report = await extractNemo(join(FIXTURES, fixture), dest);
    expect(report.model).toBe('nemo');
    expect(report.nemo).toEqual({
      config: join(dest, 'model_config.yaml'),
      weights: weights.map((path) => join(dest, path)),
      artifacts: artifacts.map((path) => join(dest, path)),
    });
    for (const path of [report.nemo.config, ...report.nemo.weights, ...report.nemo.artifacts]) expect(existsSync(path), path).toBe(true);
  });
});

describe('extractNemo accepts `./name` and `name` members, plain or gzip', () => {
  const members = (prefix: string): TarMember[] => [
    { name: `${prefix}model_config.yaml`, body: config },
    { name: `${prefix}model_weights.ckpt`, body: checkpoint },
    { name: `${prefix}${hex}_merges.txt`, body: 'a b\n' },
    { name: `${prefix}notes.txt`, body: 'not an artifact' },
    { name: `${prefix}0123_short.txt`, body: 'not an artifact either' },
  ];

  it.each([
    ['./name, plain', makeTar(members('./'))],
    ['name, plain', makeTar(members(''))],
    ['name, gzip', gzipSync(makeTar(members('')))],
  ])('%s', async (_label, archive) => {
    const dest = sandbox().dest;
    const { nemo } = await extractNemo(archive, dest);
    expect(nemo).toEqual({
      config: join(dest, 'model_config.yaml'),
      weights: [join(dest, 'model_weights.ckpt')],
      artifacts: [join(dest, `${hex}_merges.txt`)],
    });
  });

  it('names no weights when the archive holds none (the config is what makes it a NeMo model)', async () => {
    const { nemo } = await extractNemo(makeTar([{ name: './model_config.yaml', body: config }]), sandbox().dest);
    expect(nemo.weights).toEqual([]);
    expect(nemo.artifacts).toEqual([]);
  });
});

describe('ERR_NOT_A_NEMO: nothing is written', () => {
  it.each([
    ['a torch checkpoint (a zip)', checkpoint, /it is a pytorch archive/u],
    ['a tar without model_config.yaml', makeTar([{ name: './model_weights.ckpt', body: checkpoint }]), /model_config.yaml at its root/u],
    ['a tar with model_config.yaml in a folder', makeTar([{ name: 'model/model_config.yaml', body: config }]), /model_config.yaml at its root/u],
    [
      'a .tar.bz2 with model_config.yaml (NeMo writes plain or gzip tars only)',
      pythonCompress(makeTar([{ name: 'model_config.yaml', body: config }]), 'bz2'),
      /plain or gzip/u,
    ],
  ])('%s', async (_label, archive, message) => {
    const before = sandbox().snapshot();
    const error = await extractNemo(archive, join(sandbox().dest, 'model')).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ArchiveError);
    expect(error).toMatchObject({ code: 'ERR_NOT_A_NEMO', message });
    expect(sandbox().snapshot()).toEqual(before);
  });

  it('a hostile .nemo is still refused as extract refuses it', async () => {
    await expect(extractNemo(join(FIXTURES, 'traversal.nemo'), sandbox().dest)).rejects.toMatchObject({ code: 'ERR_ARCHIVE_REFUSED' });
  });
});

describe('slipguard extract --nemo', () => {
  it('prints where the config, weights and artifacts are', async () => {
    const dest = sandbox().dest;
    const result = await runCli(['extract', join(FIXTURES, 'tensor-parallel.nemo'), '-C', dest, '--nemo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`  config    ${join(dest, 'model_config.yaml')}\n`);
    expect(result.stdout).toContain(`  weights   ${join(dest, 'mp_rank_00/model_weights.ckpt')}\n            ${join(dest, 'mp_rank_01/model_weights.ckpt')}\n`);
    expect(result.stdout).toContain(`  artifacts ${join(dest, `${hex}_tokenizer.model`)}\n`);
  });

  it('puts the summary in --json', async () => {
    const dest = sandbox().dest;
    const result = await runCli(['extract', join(FIXTURES, 'distributed.nemo'), '-C', dest, '--nemo', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { model: string; nemo: unknown };
    expect(report.model).toBe('nemo');
    expect(report.nemo).toEqual({
      config: join(dest, 'model_config.yaml'),
      weights: [join(dest, 'model_weights')],
      artifacts: [join(dest, `${hex}_tokenizer.model`)],
    });
  });

  it('exits 2 with ERR_NOT_A_NEMO for another archive, writing nothing', async () => {
    const dest = join(sandbox().dest, 'model');
    const result = await runCli(['extract', join(FIXTURES, 'checkpoint.pt'), '-C', dest, '--nemo', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^slipguard: ERR_NOT_A_NEMO: not a NeMo model/u);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'ERR_NOT_A_NEMO' } });
    expect(existsSync(dest)).toBe(false);
  });

  it('without --nemo, extracts the same archive and prints no summary', async () => {
    const result = await runCli(['extract', join(FIXTURES, 'checkpoint.pt'), '-C', sandbox().dest]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('config ');
  });
});
