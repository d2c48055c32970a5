// A CI step: scan every model file in a folder before anything loads them, write SARIF for
// code scanning, and fail the step when an archive is refused.
//
// Run: node examples/ci-scan-sarif.mjs [models-dir] [out.sarif]
// (defaults: a fresh folder holding four of the committed fixtures, one of them the hostile
// traversal.nemo, and a text file; slipguard.sarif beside it). Exit code: the CLI's (0 clean,
// 1 refused, 2 unreadable).
//
// The same step without this script, e.g. in a GitHub Actions workflow:
//   - run: npx slipguard scan models/ --sarif slipguard.sarif
//   - uses: github/codeql-action/upload-sarif@v3
//     if: always()
//     with: { sarif_file: slipguard.sarif }
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const work = process.argv[2] === undefined || process.argv[3] === undefined ? mkdtempSync(join(tmpdir(), 'slipguard-ci-')) : null;
const models = process.argv[2] ?? demoModels(join(work, 'models'));
const sarif = process.argv[3] ?? join(work, 'slipguard.sarif');

/** A models folder as a repository might have one; the names say nothing, the bytes do. */
function demoModels(folder) {
  const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
  mkdirSync(join(folder, 'asr'), { recursive: true });
  copyFileSync(join(fixtures, 'clean.nemo'), join(folder, 'asr', 'model.nemo'));
  copyFileSync(join(fixtures, 'traversal.nemo'), join(folder, 'asr', 'contributed.nemo'));
  copyFileSync(join(fixtures, 'checkpoint.pt'), join(folder, 'checkpoint.bin'));
  copyFileSync(join(fixtures, 'model.keras'), join(folder, 'classifier.keras'));
  writeFileSync(join(folder, 'NOTES.txt'), 'not an archive: counted, not scanned\n');
  return folder;
}

// The installed package's own CLI (what `npx slipguard` runs).
const manifest = createRequire(import.meta.url).resolve('slipguard/package.json');
const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.slipguard);

// Folders are walked and files judged by their bytes, whatever their names; --json for the log.
const result = spawnSync(process.execPath, [bin, 'scan', models, '--sarif', sarif, '--json'], { encoding: 'utf8' });
if (result.status === null || result.status > 1) {
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 2);
}
// A folder holding a single archive prints that one report; otherwise { reports, summary }.
const printed = JSON.parse(result.stdout);
const reports = printed.reports ?? [printed];
for (const report of reports) {
  const refusing = (report.findings ?? []).filter((finding) => finding.action === 'refused');
  const what = report.error?.code ?? report.verdict;
  console.log(`${what.padEnd(9)} ${report.archive}${report.model ? ` (${report.model})` : ''}${refusing.map((f) => `  ${f.code} ${JSON.stringify(f.member)}`).join('')}`);
}
const results = JSON.parse(readFileSync(sarif, 'utf8')).runs[0].results.length;
const refused = reports.filter((report) => report.verdict === 'refused').length;
console.log(`${reports.length} archives, ${refused} refused; ${results} SARIF results in ${sarif}`);
process.exitCode = result.status;
