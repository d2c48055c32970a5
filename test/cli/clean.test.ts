import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gnuTarList, pythonTar, pythonZip, unzipTest } from '../helpers/inspect-archive.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { FIXTURES, runBin, runCli } from '../helpers/run-cli.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const traversal = join(FIXTURES, 'traversal.nemo');
const cleanNemo = join(FIXTURES, 'clean.nemo');

function rootFiles(): string[] {
  return readdirSync(box.root)
    .filter((name) => name !== 'dest' && name !== 'outside')
    .sort();
}

describe('slipguard clean', () => {
  it('removes the ../ member of the bundled NeMo archive: exit 1, each removal listed', async () => {
    const output = join(box.root, 'model.nemo');
    const result = await runCli(['clean', traversal, '-o', output]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`wrote ${output}, 1 member removed`);
    expect(result.stdout).toMatch(/critical\s+PARENT_TRAVERSAL\s+skipped\s+\.\/\.\.\/\.\.\/evil\.sh/u);
    expect(gnuTarList(output).map((line) => line.split(/\s+/u).slice(5).join(' '))).toEqual([
      './',
      './0f1e2d3c4b5a69788796a5b4c3d2e1f0_tokenizer.model',
      './0f1e2d3c4b5a69788796a5b4c3d2e1f0_vocab.txt',
      './model_config.yaml',
      './model_weights.ckpt',
    ]);
    const rescan = await runCli(['scan', output]);
    expect(rescan.code).toBe(0);
    expect(rescan.stdout).toContain('clean (5 members');
  });

  it('exits 0 and writes the same members when nothing is hostile', async () => {
    const output = join(box.root, 'model.nemo');
    const result = await runCli(['clean', cleanNemo, '--output', output]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing removed');
    const view = (path: string): unknown[] =>
      pythonTar(path).map((member) => [member.name, member.type, member.mode, member.size, member.mtime, member.sha256]);
    expect(view(output)).toEqual(view(cleanNemo));
  });

  it('prints one JSON report with output and removed', async () => {
    const output = join(box.root, 'model.nemo');
    const result = await runCli(['clean', traversal, '-o', output, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      archive: traversal,
      format: 'tar',
      model: 'nemo',
      verdict: 'skipped',
      output,
      removed: 1,
      findings: [{ code: 'PARENT_TRAVERSAL', member: './../../evil.sh', action: 'skipped' }],
    });
  });

  it('cleans a zip with a symlink: unzip and Python read the result', async () => {
    const input = join(box.root, 'model.pt');
    writeFileSync(
      input,
      makeZip([
        { name: 'archive/data.pkl', body: 'pickle', align: 64 },
        { name: 'archive/lnk', body: '/etc/passwd', unixMode: 0o120777 },
        { name: 'archive/version', body: '3\n', align: 64 },
      ]),
    );
    const output = join(box.root, 'clean.pt');
    const result = await runCli(['clean', input, '-o', output]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/critical\s+SYMLINK\s+skipped\s+archive\/lnk/u);
    unzipTest(output);
    expect(pythonZip(output).members.map((member) => [member.name, member.dataOffset % 64])).toEqual([
      ['archive/data.pkl', 0],
      ['archive/version', 0],
    ]);
  });

  it('exits 2 on a container finding and leaves no output file', async () => {
    const input = join(box.root, 'cut.tar');
    writeFileSync(input, makeTar([{ name: 'a.txt', body: 'a'.repeat(4000) }]).subarray(0, 1500));
    const result = await runCli(['clean', input, '-o', join(box.root, 'out.tar'), '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'refused', output: null, findings: [{ code: 'MALFORMED_ARCHIVE', action: 'refused' }] });
    expect(rootFiles()).toEqual(['cut.tar']);
    const human = await runCli(['clean', input, '-o', join(box.root, 'out.tar')]);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('REFUSED, nothing written');
  });

  it('refuses to replace an existing output without --overwrite (exit 2), and replaces it with it', async () => {
    const output = join(box.root, 'model.nemo');
    writeFileSync(output, 'precious');
    const refused = await runCli(['clean', traversal, '-o', output]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ERR_DESTINATION');
    expect(refused.stderr).toContain('already exists');
    expect(readFileSync(output, 'utf8')).toBe('precious');
    expect((await runCli(['clean', traversal, '-o', output, '--overwrite'])).code).toBe(1);
    expect(gnuTarList(output)).toHaveLength(5);
    expect(rootFiles()).toEqual(['model.nemo']);
  });

  it('reads the archive from standard input with -', () => {
    const result = runBin(['clean', '-', '-o', 'out.nemo'], readFileSync(traversal), box.root);
    expect(result.code).toBe(1);
    expect(gnuTarList(join(box.root, 'out.nemo'))).toHaveLength(5);
  });

  it.each([
    ['no -o', ['clean', 'x.tar'], 'ERR_INVALID_OPTION: clean needs -o <file>'],
    ['-o -', ['clean', 'x.tar', '-o', '-'], 'ERR_INVALID_OPTION: clean writes a file'],
    ['two archives', ['clean', 'a.tar', 'b.tar', '-o', 'c.tar'], 'ERR_INVALID_OPTION: clean takes exactly one archive'],
    ['--policy', ['clean', 'x.tar', '-o', 'c.tar', '--policy', 'refuse'], "ERR_INVALID_OPTION: Unknown option '--policy'"],
    ['a missing archive', ['clean', 'missing.tar', '-o', 'c.tar'], 'ERR_SOURCE_UNREADABLE'],
  ])('%s is an error: exit 2, one line, nothing written', (_what, args, message) => {
    const result = runBin(args, undefined, box.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(box.root, 'c.tar'))).toBe(false);
  });

  it('refuses the archive itself as the output', async () => {
    const input = join(box.root, 'model.nemo');
    writeFileSync(input, readFileSync(traversal));
    const result = await runCli(['clean', input, '-o', input, '--overwrite']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is the archive being cleaned');
    expect(readFileSync(input)).toEqual(readFileSync(traversal));
  });

  it('prints its help with examples and exit codes', async () => {
    const result = await runCli(['clean', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('slipguard clean model.nemo -o model.clean.nemo');
    expect(result.stdout).toContain('Exit codes: 0 nothing had to be removed');
    expect((await runCli(['--help'])).stdout).toContain('slipguard clean <archive> -o <file>');
  });
});
