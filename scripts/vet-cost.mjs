#!/usr/bin/env node
// How long vetting takes for one archive, apart from reading and writing: the archive's entries
// are read once, then vetEntry (the one policy function every command uses) is timed over all
// of them with a fresh state, `--runs` times. Prints JSON: { entries, vetMs (median), runs }.
// `npm run bench` compares it with the extraction's median time: the vetting overhead (issue 6).
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
times.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ entries: entries.length, vetMs: times[Math.floor(times.length / 2)], runs: times.length })}\n`);
