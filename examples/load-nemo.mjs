// Loading a NeMo model: extractNemo unpacks the .nemo (a tar, or a gzip tar before NeMo 1.7)
// all or nothing, and says where its config, weights and tokenizer artifacts are, so the
// loader needs no knowledge of `./` names, tensor-parallel folders or artifact prefixes.
//
// Run: node examples/load-nemo.mjs [model.nemo] [dir]
// (defaults: fixtures/tensor-parallel.nemo into a fresh temporary folder)
//
// Before, loaders untarred by hand and then globbed:
//   execFileSync('tar', ['-xf', nemoPath, '-C', dir]);
//   const config = fs.readFileSync(path.join(dir, 'model_config.yaml'), 'utf8');
//   const weights = glob.sync('{model_weights.ckpt,mp_rank_*/model_weights.ckpt}', { cwd: dir });
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractNemo, isArchiveError } from 'slipguard';

const nemoPath = process.argv[2] ?? fileURLToPath(new URL('../fixtures/tensor-parallel.nemo', import.meta.url));
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'slipguard-nemo-'));

try {
  const { nemo, written } = await extractNemo(nemoPath, dir);
  const target = /^target:\s*(\S+)/mu.exec(readFileSync(nemo.config, 'utf8'))?.[1] ?? '(no target)';
  console.log(`model class: ${target}`);
  console.log(`config:      ${nemo.config}`);
  for (const weights of nemo.weights) console.log(`weights:     ${weights}`);
  for (const artifact of nemo.artifacts) console.log(`artifact:    ${artifact}`);
  console.log(`(${written.files} files written)`);
} catch (error) {
  // ERR_NOT_A_NEMO: not a NeMo model; ERR_ARCHIVE_REFUSED: hostile. Either way nothing was written.
  if (!isArchiveError(error)) throw error;
  console.error(`cannot load ${nemoPath}: ${error.code}: ${error.message}`);
  process.exitCode = 1;
}
