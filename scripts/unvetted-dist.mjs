// Bench only: a copy of dist/ whose vetEntry accepts every member, so `npm run bench` can time
// "the same reader writing without vetting" (issue 6) beside the real extraction. Nothing in
// src/ or dist/ changes: the copy lives in the bench's scratch folder, and the swap is one file.
// Never run the copy on an archive you do not trust: only the writer's own second layer
// (plain components, one at a time, no links followed) is left between it and the disk.
//
//   node scripts/unvetted-dist.mjs CLI OUT_DIR    CLI: dist/cli/bin.js or a copy's; OUT_DIR must
//                                                 not exist yet; prints the new CLI's path
//
// OUT_DIR gets dist/, package.json (the CLI reads its version there) and a link to the repo's
// node_modules, so it can live anywhere (the bench puts it in its scratch folder).

import { copyFileSync, cpSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Accepts every member: the parts the writer needs and the mode it would write, nothing else. */
const STUB = `export { toFinding } from './vet-entry-real.js';
export function vetEntry(entry, state) {
  state.entries += 1;
  state.declaredBytes += entry.size;
  const parts = entry.name.split('/').filter((part) => part !== '' && part !== '.');
  const mode = entry.type === 'directory' || (entry.mode !== null && (entry.mode & 0o100) !== 0) ? 0o755 : 0o644;
  return { action: 'write', findings: [], parts, mode };
}
`;

export function unvettedDist(cli, outDir) {
  const dist = dirname(dirname(resolve(cli)));
  const copy = join(outDir, 'dist');
  // A new folder only (EEXIST otherwise): nothing that is already there is ever removed or replaced.
  mkdirSync(outDir);
  copyFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), join(outDir, 'package.json'));
  symlinkSync(fileURLToPath(new URL('../node_modules', import.meta.url)), join(outDir, 'node_modules'), 'dir');
  cpSync(dist, copy, { recursive: true });
  renameSync(join(copy, 'vet', 'vet-entry.js'), join(copy, 'vet', 'vet-entry-real.js'));
  writeFileSync(join(copy, 'vet', 'vet-entry.js'), STUB);
  return join(copy, 'cli', 'bin.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 4) {
    process.stderr.write('usage: node scripts/unvetted-dist.mjs CLI OUT_DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${unvettedDist(process.argv[2], process.argv[3])}\n`);
}
