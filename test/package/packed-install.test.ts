import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
let project: string;

/**
 * What a loader author does in their first five minutes: `npm pack` our package, install the
 * tarball into a fresh project, import it, require it, type-check against it, run the CLI.
 */
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'slipguard-consumer-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(project, tarball)], { cwd: project, stdio: 'pipe' });
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed package in a fresh project', () => {
  it('ships only what users need', () => {
    const installed = join(project, 'node_modules', 'slipguard');
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: installed, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('./dist/index.js');
    expect(files).toContain('./dist/index.d.ts');
    expect(files).toContain('./dist/cli/bin.js');
    expect(files.filter((file) => !file.startsWith('./dist/'))).toEqual(expect.arrayContaining(['./package.json', './README.md', './SECURITY.md']));
    expect(files.some((file) => file.startsWith('./src/') || file.startsWith('./test/') || file.endsWith('.map'))).toBe(false);
  });

  it('imports as ESM and requires as CommonJS (Node 20.19+ require of ES modules)', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      "import { extract, scan, ArchiveError } from 'slipguard';\nconsole.log(typeof extract, typeof scan, typeof ArchiveError);\n",
    );
    writeFileSync(join(project, 'cjs.cjs'), "const { extract, isArchiveError } = require('slipguard');\nconsole.log(typeof extract, typeof isArchiveError);\n");
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' })).toBe('function function function\n');
    expect(execFileSync(process.execPath, ['cjs.cjs'], { cwd: project, encoding: 'utf8' })).toBe('function function\n');
  });

  it('type-checks under strict with moduleResolution nodenext, from ESM and from CommonJS', () => {
    writeFileSync(
      join(project, 'use.mts'),
      "import { extract, isArchiveError, type ExtractReport } from 'slipguard';\nexport async function load(path: string): Promise<ExtractReport | string> {\n  try { return await extract(path, 'out', { policy: 'refuse', limits: { maxSize: 1024 } }); }\n  catch (error) { return isArchiveError(error) ? error.code : 'unknown'; }\n}\n",
    );
    writeFileSync(join(project, 'use.cts'), "import slipguard = require('slipguard');\nexport const scanIt = (path: string) => slipguard.scan(path);\n");
    writeFileSync(join(project, 'bad.mts'), "import { extract } from 'slipguard';\nvoid extract('a.tar', 'out', { policy: 'yolo' });\n");
    const typeCheck = (files: string[], skipLibCheck: boolean): string => {
      const compilerOptions = {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck,
        typeRoots: [join(repo, 'node_modules', '@types')],
        types: ['node'],
      };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      try {
        execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stdout: string }).stdout);
      }
    };
    // Our declaration files are checked too (skipLibCheck off).
    expect(typeCheck(['use.mts', 'use.cts'], false)).toBe('');
    // The types really constrain callers: a bad policy does not compile.
    expect(typeCheck(['bad.mts'], true)).toMatch(/bad\.mts.*'"yolo"' is not assignable/su);
  }, 180_000);

  it('runs the CLI from node_modules/.bin', () => {
    const bin = join(project, 'node_modules', '.bin', 'slipguard');
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toBe(`slipguard ${version}\n`);
    const out = execFileSync(bin, ['scan', join(repo, 'fixtures', 'clean.nemo')], { encoding: 'utf8' });
    expect(out).toContain('(tar, nemo): clean');
  });
});
