// A model loader that shelled out to `tar -xf`, rewritten onto slipguard.
//
// Run: node examples/replace-tar-xf.mjs [model.nemo] [cache-dir]
// (defaults: fixtures/clean.nemo, then fixtures/traversal.nemo, into a fresh temporary folder)
//
// ---- before ---------------------------------------------------------------------------------
// import { execFileSync } from 'node:child_process';
// import { mkdirSync } from 'node:fs';
//
// export function unpackModel(modelPath, cacheDir) {
//   mkdirSync(cacheDir, { recursive: true });
//   // GNU tar follows `../` names, absolute names (with -P), symlinks and hardlinks the archive
//   // brings; a stranger's .nemo can write anywhere this process may write.
//   execFileSync('tar', ['-xf', modelPath, '-C', cacheDir]);
//   return cacheDir;
// }
// ---------------------------------------------------------------------------------------------
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract, isArchiveError } from 'slipguard';

// ---- after ----------------------------------------------------------------------------------
/** Unpacks a model archive into cacheDir, all or nothing; rejects on a hostile archive. */
export async function unpackModel(modelPath, cacheDir) {
  const report = await extract(modelPath, cacheDir); // creates cacheDir; nothing written on refusal
  return { dir: report.destination, model: report.model, files: report.written.files };
}
// ---------------------------------------------------------------------------------------------

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const models = process.argv[2] === undefined ? [join(fixtures, 'clean.nemo'), join(fixtures, 'traversal.nemo')] : [process.argv[2]];
const cache = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'slipguard-example-'));

let refused = 0;
for (const [index, model] of models.entries()) {
  const dir = join(cache, `model-${index}`);
  try {
    const { model: kind, files } = await unpackModel(model, dir);
    console.log(`unpacked ${model}: ${kind ?? 'archive'}, ${files} files in ${dir}`);
  } catch (error) {
    if (!isArchiveError(error)) throw error;
    refused += 1;
    // ERR_ARCHIVE_REFUSED carries the report: which member, which rule. Nothing was written.
    const finding = error.report?.findings.find((found) => found.action === 'refused');
    console.log(`refused ${model}: ${error.code}${finding === undefined ? '' : ` (${finding.code} in ${JSON.stringify(finding.member)})`}`);
  }
}
process.exitCode = refused > 0 && process.argv[2] !== undefined ? 1 : 0;
