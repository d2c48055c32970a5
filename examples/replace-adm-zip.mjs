// A checkpoint loader that used adm-zip (or extract-zip) on .pt / .keras / .npz / .mar files,
// rewritten onto slipguard.
//
// Run: node examples/replace-adm-zip.mjs [checkpoint.pt] [dir]
// (defaults: fixtures/checkpoint.pt into a fresh temporary folder)
//
// ---- before ---------------------------------------------------------------------------------
// import AdmZip from 'adm-zip';
// // or: import extractZip from 'extract-zip';
//
// export async function unpackCheckpoint(checkpointPath, dir) {
//   new AdmZip(checkpointPath).extractAllTo(dir, /* overwrite */ true);
//   // or: await extractZip(checkpointPath, { dir });
//   // Neither checks CRCs; both have had zip-slip advisories (names with `../`, symlink
//   // entries); adm-zip overwrites whatever is in `dir`.
//   return dir;
// }
// ---------------------------------------------------------------------------------------------
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract } from 'slipguard';

// ---- after ----------------------------------------------------------------------------------
/** Unpacks a zip-based model file, checking every member's CRC; never overwrites by default. */
export async function unpackCheckpoint(checkpointPath, dir) {
  const report = await extract(checkpointPath, dir, { limits: { maxSize: 20 * 1024 ** 3 } });
  return { dir: report.destination, model: report.model };
}
// ---------------------------------------------------------------------------------------------

const checkpoint = process.argv[2] ?? fileURLToPath(new URL('../fixtures/checkpoint.pt', import.meta.url));
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'slipguard-example-'));
const { dir: unpacked, model } = await unpackCheckpoint(checkpoint, dir);
console.log(`unpacked ${checkpoint} (${model ?? 'zip'}) into ${unpacked}`);
if (model === 'pytorch') {
  // torch.save puts everything under one folder named after the file: <stem>/data.pkl.
  const stem = checkpoint.split(/[\\/]/u).pop().split('.')[0];
  console.log(`${stem}/data.pkl: ${readFileSync(join(unpacked, stem, 'data.pkl')).length} bytes`);
}
