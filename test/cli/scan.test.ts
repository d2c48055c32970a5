import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeZip, torchZip } from '../helpers/make-zip.js';
import { FIXTURES, runBin, runCli } from '../helpers/run-cli.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
const addFormats = require('ajv-formats') as (ajv: object) => void;

let box: Sandbox;
let models: string;
beforeEach(() => {
  box = makeSandbox();
  models = join(box.root, 'models');
  mkdirSync(join(models, 'nested'), { recursive: true });
  writeFileSync(join(models, 'asr.nemo'), readFileSync(join(FIXTURES, 'traversal.nemo')));
  // Named .bin on purpose: archives are found by their bytes, not their names.
  writeFileSync(join(models, 'nested', 'weights.bin'), torchZip('weights', { 'data.pkl': 'pickle', version: '3\n', '../../evil.py': 'import os' }));
  writeFileSync(
    join(models, 'classifier.keras'),
    makeZip([
      { name: 'metadata.json', body: '{}' },
      { name: 'config.json', body: '{}' },
      { name: 'model.weights.h5', body: 'HDF' },
    ]),
  );
  writeFileSync(join(models, 'notes.txt'), 'not an archive\n'.repeat(100));
});
afterEach(() => box.cleanup());

describe('slipguard scan <folder>', () => {
  it('scans every archive under a folder, whatever its name, and counts the other files', async () => {
    const result = await runCli(['scan', models, '--json']);
    expect(result.code).toBe(1);
    const tree = JSON.parse(result.stdout) as { reports: { archive: string; verdict: string; model: string | null }[]; summary: Record<string, number> };
    expect(tree.reports.map((report) => [report.archive.slice(models.length + 1), report.verdict, report.model])).toEqual([
      ['asr.nemo', 'refused', 'nemo'],
      ['classifier.keras', 'accepted', 'keras'],
      ['nested/weights.bin', 'refused', 'pytorch'],
    ]);
    expect(tree.summary).toEqual({ archives: 3, accepted: 1, skipped: 0, refused: 2, failed: 0, notArchives: 1 });
  });

  it('prints a table per archive and a summary line', async () => {
    const result = await runCli(['scan', models]);
    expect(result.stdout).toMatch(/SEVERITY\s+CODE\s+ACTION\s+MEMBER\s+WHY/u);
    expect(result.stdout).toMatch(/critical\s+PARENT_TRAVERSAL\s+refused\s+weights\/\.\.\/\.\.\/evil\.py/u);
    expect(result.stdout).toContain('3 archives: 1 clean, 2 refused; 1 other file skipped');
  });

  it('exits 2 when an archive cannot be read, and still reports the others', async () => {
    const result = await runCli(['scan', join(models, 'classifier.keras'), join(box.root, 'missing.pt')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('classifier.keras (zip, keras): clean');
    expect(result.stderr).toContain('ERR_SOURCE_UNREADABLE');
  });

  it('exits 0 when every archive is clean', async () => {
    expect((await runCli(['scan', join(models, 'classifier.keras')])).code).toBe(0);
  });
});

describe('colour', () => {
  it('colours findings only when asked (a TTY without NO_COLOR)', async () => {
    const plain = await runCli(['scan', join(models, 'asr.nemo')]);
    expect(plain.stdout).not.toContain('\x1b[');
    const { main } = await import('../../src/cli/main.js');
    const { PassThrough, Readable } = await import('node:stream');
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    await main(['scan', join(models, 'asr.nemo')], { stdout, stderr: new PassThrough(), stdin: Readable.from([]), colour: true });
    expect(Buffer.concat(chunks).toString()).toContain('\x1b[1;31m');
  });

  it('never colours through a pipe, whatever NO_COLOR says', () => {
    expect(runBin(['scan', join(models, 'asr.nemo')]).stdout).not.toContain('\x1b[');
  });
});

describe('--sarif', () => {
  it('writes SARIF 2.1.0 that validates against the official schema', async () => {
    const sarifPath = join(box.root, 'scan.sarif');
    const result = await runCli(['scan', models, '--sarif', sarifPath]);
    expect(result.code).toBe(1);
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as SarifLog;
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(FIXTURES, 'schemas', 'sarif-2.1.0.json'), 'utf8')) as object);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);

    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe('slipguard');
    const rule = run.tool.driver.rules.find((candidate) => candidate.id === 'PARENT_TRAVERSAL')!;
    expect(rule.shortDescription.text.length).toBeGreaterThan(0);
    expect(rule.fullDescription.text.length).toBeGreaterThan(0);
    expect(rule.help.text.length).toBeGreaterThan(0);
    expect(
      run.results.map((res) => [
        res.ruleId,
        res.level,
        res.locations[0]!.physicalLocation.artifactLocation.uri.split('/').pop(),
        res.locations[0]!.logicalLocations?.[0]?.name,
      ]),
    ).toEqual([
      ['PARENT_TRAVERSAL', 'error', 'asr.nemo', './../../evil.sh'],
      ['PARENT_TRAVERSAL', 'error', 'weights.bin', 'weights/../../evil.py'],
    ]);
    expect(run.results[0]!.message.text).toContain('./../../evil.sh');
  });

  it('gives low findings the level note', async () => {
    const archive = join(box.root, 'setuid.zip');
    writeFileSync(archive, makeZip([{ name: 'tool', body: '#!/bin/sh\n', unixMode: 0o104755 }]));
    const sarifPath = join(box.root, 'low.sarif');
    expect((await runCli(['scan', archive, '--sarif', sarifPath])).code).toBe(0);
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as SarifLog;
    expect(sarif.runs[0]!.results.map((res) => [res.ruleId, res.level])).toEqual([['UNSAFE_MODE', 'note']]);
  });
});

interface SarifLog {
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string } }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { name: string }[] }[];
    }[];
  }[];
}
