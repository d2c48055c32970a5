import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useSandbox } from './helpers/expect-extract.js';
import { FIXTURES } from './helpers/run-cli.js';
import { listTree } from './helpers/sandbox.js';

// Every example runs as a user would run it: `node examples/<name>.mjs`, importing 'slipguard'
// (the package's own name, resolved by Node's package self-reference to the dist/ that
// `npm test` builds first).

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const sandbox = useSandbox();

function run(example: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(EXAMPLES, example), ...args], { encoding: 'utf8', cwd: sandbox().root });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('examples/', () => {
  it('are the five this file runs', () => {
    expect(readdirSync(EXAMPLES).sort()).toEqual(['ci-scan-sarif.mjs', 'load-nemo.mjs', 'model-cache.mjs', 'replace-adm-zip.mjs', 'replace-tar-xf.mjs']);
  });

  it('replace-tar-xf.mjs unpacks a clean .nemo and refuses a hostile one, writing nothing', () => {
    const clean = run('replace-tar-xf.mjs', join(FIXTURES, 'clean.nemo'), join(sandbox().dest, 'a'));
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/unpacked .*clean\.nemo: nemo, 4 files/u);
    expect(existsSync(join(sandbox().dest, 'a', 'model-0', 'model_config.yaml'))).toBe(true);
    const hostile = run('replace-tar-xf.mjs', join(FIXTURES, 'traversal.nemo'), join(sandbox().dest, 'b'));
    expect(hostile.code, hostile.stderr).toBe(1);
    expect(hostile.stdout).toContain('refused');
    expect(hostile.stdout).toContain('ERR_ARCHIVE_REFUSED (PARENT_TRAVERSAL in "./../../evil.sh")');
    expect(existsSync(join(sandbox().dest, 'b'))).toBe(false);
    expect(listTree(sandbox().outside)).toEqual([]);
  });

  it('replace-adm-zip.mjs unpacks a torch.save checkpoint', () => {
    const result = run('replace-adm-zip.mjs', join(FIXTURES, 'checkpoint.pt'), sandbox().dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(pytorch)');
    expect(result.stdout).toContain('checkpoint/data.pkl: 127 bytes');
    expect(readdirSync(join(sandbox().dest, 'checkpoint')).sort()).toEqual([
      '.data',
      '.format_version',
      '.storage_alignment',
      'byteorder',
      'data',
      'data.pkl',
      'version',
    ]);
  });

  it('model-cache.mjs unpacks a bundle once, then finds it cached, leaving no partial folder', () => {
    const cache = join(sandbox().dest, 'cache');
    mkdirSync(cache);
    const first = run('model-cache.mjs', join(FIXTURES, 'bundle.tar.gz'), cache);
    expect(first.code, first.stderr).toBe(0);
    expect(
      first.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['unpacked', 'cached']);
    const second = run('model-cache.mjs', join(FIXTURES, 'bundle.tar.gz'), cache);
    expect(
      second.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['cached', 'cached']);
    expect(listTree(cache)).toEqual(['tiny-model/', 'tiny-model/README.md', 'tiny-model/model.onnx', 'tiny-model/tokens.txt']);
  });

  it('model-cache.mjs publishes nothing from a hostile bundle', () => {
    const cache = join(sandbox().dest, 'cache');
    mkdirSync(cache);
    const result = run('model-cache.mjs', join(FIXTURES, 'traversal.nemo'), cache);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ERR_ARCHIVE_REFUSED');
    expect(listTree(cache)).toEqual([]);
  });

  it('load-nemo.mjs names the config, weights and artifacts of a distributed-checkpoint .nemo', () => {
    const result = run('load-nemo.mjs', join(FIXTURES, 'distributed.nemo'), sandbox().dest);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('model class: nemo.collections.nlp.models.language_modeling.megatron_gpt_model.MegatronGPTModel');
    expect(result.stdout).toContain(`weights:     ${join(sandbox().dest, 'model_weights')}\n`);
    expect(result.stdout).toMatch(/artifact: {4}.*_tokenizer\.model/u);
  });

  it('load-nemo.mjs refuses a file that is not a NeMo model', () => {
    const result = run('load-nemo.mjs', join(FIXTURES, 'checkpoint.pt'), join(sandbox().dest, 'x'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_NOT_A_NEMO');
    expect(existsSync(join(sandbox().dest, 'x'))).toBe(false);
  });

  it('ci-scan-sarif.mjs writes SARIF and fails the step when a model is refused', () => {
    const models = join(sandbox().root, 'models');
    mkdirSync(models);
    copyFileSync(join(FIXTURES, 'clean.nemo'), join(models, 'a.nemo'));
    copyFileSync(join(FIXTURES, 'traversal.nemo'), join(models, 'b.nemo'));
    const sarif = join(sandbox().root, 'out.sarif');
    const result = run('ci-scan-sarif.mjs', models, sarif);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('2 archives, 1 refused; 1 SARIF results');
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((found) => found.ruleId)).toEqual(['PARENT_TRAVERSAL']);
  });

  it('ci-scan-sarif.mjs passes the step when every model is clean', () => {
    const models = join(sandbox().root, 'models');
    mkdirSync(models);
    copyFileSync(join(FIXTURES, 'checkpoint.pt'), join(models, 'c.pt'));
    const result = run('ci-scan-sarif.mjs', models, join(sandbox().root, 'out.sarif'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 archives, 0 refused; 0 SARIF results');
  });
});
