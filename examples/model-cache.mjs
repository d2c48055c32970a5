// A model cache that unpacks a downloaded .tar.gz bundle into one folder per model, the way
// fastembed does with node-tar's tar.x, rewritten onto slipguard: skip when already unpacked,
// and publish the folder atomically, so a crash or a second process never sees half a model.
//
// Run: node examples/model-cache.mjs [bundle.tar.gz] [cache-dir]
// (defaults: fixtures/bundle.tar.gz into a fresh temporary folder, asked for twice)
//
// ---- before ---------------------------------------------------------------------------------
// import * as tar from 'tar';
//
// async function retrieveModel(cacheDir, modelName, bundlePath) {
//   const modelDir = path.join(cacheDir, modelName);
//   if (fs.existsSync(modelDir)) return modelDir;
//   await tar.x({ file: bundlePath, cwd: cacheDir }); // strips `../` and warns, follows no checks
//   fs.unlinkSync(bundlePath);                         // of what it wrote; a crash leaves half
//   return modelDir;                                   // a model that the next run "finds"
// }
// ---------------------------------------------------------------------------------------------
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract } from 'slipguard';

// ---- after ----------------------------------------------------------------------------------
/**
 * The folder of `modelName` in `cacheDir`, unpacked from `bundlePath` (a tar.gz holding one
 * top folder named after the model) unless it is there already.
 */
export async function retrieveModel(cacheDir, modelName, bundlePath) {
  const modelDir = join(cacheDir, modelName);
  if (existsSync(modelDir)) return { modelDir, unpacked: false };
  // Unpack beside the cache entry, under a name no reader looks for, then rename: the model
  // folder appears whole or not at all. extract itself writes nothing if it refuses.
  const staging = join(cacheDir, `.${modelName}.partial-${process.pid}-${Date.now()}`);
  try {
    await extract(bundlePath, staging);
    const top = readdirSync(staging);
    if (top.length !== 1 || top[0] !== modelName) throw new Error(`${bundlePath} should hold one folder, ${modelName}/; it holds ${top.join(', ')}`);
    try {
      renameSync(join(staging, modelName), modelDir);
    } catch (error) {
      // Another process published it first: theirs is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
    return { modelDir, unpacked: true };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
// ---------------------------------------------------------------------------------------------

const bundle = process.argv[2] ?? fileURLToPath(new URL('../fixtures/bundle.tar.gz', import.meta.url));
const cache = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'slipguard-cache-'));
for (let attempt = 1; attempt <= 2; attempt++) {
  const { modelDir, unpacked } = await retrieveModel(cache, 'tiny-model', bundle);
  console.log(`${unpacked ? 'unpacked' : 'cached'} ${modelDir}: ${readdirSync(modelDir).sort().join(', ')}`);
}
