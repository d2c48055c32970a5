#!/usr/bin/env node
// How long vetting takes for one archive, apart from reading and writing: the archive's entries
// are read once, then vetEntry (the one policy function every command uses) is timed over all
// of them with a fresh state, `--runs` times in one process. The first pass is what one
// extraction pays (code not yet optimised, tables growing from empty); later passes are warm.
// Prints JSON: { entries, coldMs, warmMs (median of the passes after the first), runs }.
// `npm run bench` shows it beside the extraction: the overhead itself is measured there
// against a copy of slipguard that does not vet (scripts/unvetted-dist.mjs).
//
//   node scripts/vet-cost.mjs ARCHIVE [--runs 5]

import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../dist/limits.js';
import { openArchive } from '../dist/readers/open-archive.js';
import { vetEntry } from '../dist/vet/vet-entry.js';
import { createVetState } from '../dist/vet/vet-state.js';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '5' } }, allowPositionals: true, strict: true });
if (positionals.length !== 1) {
  process.stderr.write('usage: node scripts/vet-cost.mjs ARCHIVE [--runs 5]\n');
  process.exit(2);
}
const archive = await openArchive(positionals[0], DEFAULT_LIMITS);
const entries = [];
try {
  for await (const member of archive.members()) entries.push(member.entry);
} finally {
  await archive.close();
}
const options = { policy: 'refuse', limits: DEFAULT_LIMITS };
const times = [];
for (let run = 0; run < Number(values.runs); run++) {
  const state = createVetState();
  const start = process.hrtime.bigint();
  for (const entry of entries) vetEntry(entry, state, options);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
const warm = times.slice(1).sort((a, b) => a - b);
const warmMs = warm.length === 0 ? null : warm[Math.floor(warm.length / 2)];
process.stdout.write(`${JSON.stringify({ entries: entries.length, coldMs: times[0], warmMs, runs: times.length })}\n`);
