import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTar } from '../helpers/make-tar.js';
import { FIXTURES, runBin, runCli } from '../helpers/run-cli.js';
import { listTree, makeSandbox, snapshotTree, type Sandbox } from '../helpers/sandbox.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const clean = join(FIXTURES, 'clean.nemo');
const traversal = join(FIXTURES, 'traversal.nemo');

describe('slipguard extract', () => {
  it('refuses the bundled ../ NeMo archive with exit 1, a report, and nothing written', async () => {
    const before = box.snapshot();
    const dest = join(box.root, 'model');
    const result = await runCli(['extract', traversal, '-C', dest]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('REFUSED, nothing written');
    expect(result.stdout).toMatch(/critical\s+PARENT_TRAVERSAL\s+refused\s+\.\/\.\.\/\.\.\/evil\.sh/u);
    expect(box.snapshot()).toEqual(before);
  });

  it('extracts the bundled clean NeMo archive exactly as GNU tar does', async () => {
    const result = await runCli(['extract', clean, '-d', box.dest]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(tar, nemo): extracted 4 files');
    const reference = join(box.root, 'gnu');
    mkdirSync(reference);
    execFileSync('tar', ['-xf', clean, '-C', reference, '--no-same-owner']);
    expect(snapshotTree(box.dest)).toEqual(snapshotTree(reference));
    expect(listTree(box.dest)).toContain('model_config.yaml');
  });

  it('prints one JSON document in the shape of the design contract', async () => {
    const result = await runCli(['extract', traversal, '-C', box.dest, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      archive: traversal,
      format: 'tar',
      model: 'nemo',
      verdict: 'refused',
      findings: [{ code: 'PARENT_TRAVERSAL', severity: 'critical', member: './../../evil.sh', action: 'refused' }],
    });
    expect(typeof (report.findings as { message: unknown }[])[0]!.message).toBe('string');
  });

  it('drops hostile members under --policy skip, writes the rest, and exits 1', async () => {
    const result = await runCli(['extract', traversal, '-C', box.dest, '--policy', 'skip']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PARENT_TRAVERSAL\s+skipped/u);
    expect(listTree(box.dest)).toHaveLength(4);
    expect(listTree(box.root).some((path) => path.includes('evil'))).toBe(false);
  });

  it('reads the archive from standard input with -', () => {
    const result = runBin(['extract', '-', '-C', box.dest], readFileSync(clean));
    expect(result.code).toBe(0);
    expect(readFileSync(join(box.dest, 'model_config.yaml'), 'utf8')).toContain('EncDecCTCModel');
  });

  it('escapes control characters in member names so they never reach the terminal', async () => {
    const archive = join(box.root, 'ansi.tar');
    writeFileSync(
      archive,
      makeTar([
        { name: 'a\x1b[31mred', body: 'x' },
        { name: 'evil\u202Etxt.exe', body: 'x' },
      ]),
    );
    const result = await runCli(['extract', archive, '-C', box.dest, '--policy', 'skip']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stdout).not.toContain('\u202E');
    expect(result.stdout).toContain('a\\x1b[31mred');
    expect(result.stdout).toContain('evil\\u{202e}txt.exe');
  });

  it('applies size limits from flags with units', async () => {
    const result = await runCli(['extract', clean, '-C', box.dest, '--max-file-size', '1K', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: { code: string; member: string }[] };
    expect(report.findings[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', member: './model_weights.ckpt' });
  });
});

describe('errors: one line with a code, exit 2, nothing written', () => {
  it.each([
    ['a missing archive', ['extract', 'no-such-file.tar'], 'ERR_SOURCE_UNREADABLE: cannot read no-such-file.tar: no such file'],
    ['an unknown command', ['explode', 'x'], 'ERR_INVALID_OPTION: unknown command'],
    ['an unknown flag', ['extract', 'x.tar', '--frobnicate'], "ERR_INVALID_OPTION: Unknown option '--frobnicate'"],
    ['a bad policy', ['extract', 'x.tar', '--policy', 'yolo'], 'ERR_INVALID_OPTION: --policy takes refuse or skip'],
    ['a bad size', ['extract', 'x.tar', '--max-size', 'lots'], 'ERR_INVALID_OPTION: --max-size takes a positive size'],
    ['two archives for extract', ['extract', 'a.tar', 'b.tar'], 'ERR_INVALID_OPTION: extract takes exactly one archive'],
  ])('%s', (_what, args, message) => {
    const result = runBin(args, undefined, box.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /u);
    expect(listTree(box.root)).toEqual(['dest/', 'outside/']);
  });

  it('says a file that is not an archive is not one', () => {
    writeFileSync(join(box.root, 'notes.txt'), 'just some text, long enough to not be anything\n'.repeat(40));
    const result = runBin(['extract', 'notes.txt', '-C', 'out'], undefined, box.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERR_NOT_AN_ARCHIVE');
    expect(listTree(box.root)).not.toContain('out/');
  });

  it('refuses a destination that is a file', () => {
    writeFileSync(join(box.root, 'file'), 'x');
    const result = runBin(['extract', clean, '-C', join(box.root, 'file')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERR_DESTINATION');
    expect(readFileSync(join(box.root, 'file'), 'utf8')).toBe('x');
  });
});

describe('slipguard scan', () => {
  it('reports each archive and exits with the worst result', async () => {
    const result = await runCli(['scan', clean, traversal, '--json']);
    expect(result.code).toBe(1);
    const { reports } = JSON.parse(result.stdout) as { reports: { archive: string; verdict: string }[] };
    expect(reports.map((report) => report.verdict)).toEqual(['accepted', 'refused']);
  });

  it('writes nothing', async () => {
    const before = box.snapshot();
    const result = await runCli(['scan', traversal]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PARENT_TRAVERSAL');
    expect(box.snapshot()).toEqual(before);
  });
});

describe('help and version', () => {
  it.each([
    [['--help'], 'slipguard extract <archive>'],
    [['extract', '--help'], '--policy skip'],
    [['scan', '-h'], '--sarif <file>'],
  ])('%j prints help with examples and exits 0', async (args, text) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(text);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('Exit codes:');
  });

  it('prints the usage on stderr and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage:');
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await runCli(['--version'])).stdout).toBe(`slipguard ${version}\n`);
  });
});
