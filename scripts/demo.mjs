// `npm start`: runs the slipguard CLI on the two bundled NeMo-shaped archives, the way a
// model loader would, and shows what each did to a fresh destination folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'bin.js');
const work = mkdtempSync(join(tmpdir(), 'slipguard-demo-'));

function run(args) {
  const shown = (text) => text.replaceAll(work, '$TMP');
  console.log(`$ slipguard ${shown(args.join(' '))}`);
  // Run from the project folder so the archive is named as a user would type it.
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  process.stdout.write(shown(result.stdout));
  process.stdout.write(shown(result.stderr));
  console.log(`(exit code ${result.status})`);
  return result.status;
}

function list(dir) {
  const out = [];
  const walk = (rel) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const stat = statSync(join(dir, path));
      out.push(`  ${(stat.mode & 0o777).toString(8)} ${String(stat.size).padStart(6)} ${path}${stat.isDirectory() ? '/' : ''}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk('');
  return out.length === 0 ? '  (empty)' : out.join('\n');
}

try {
  console.log('1. A NeMo archive with a hostile member, ./../../evil.sh (tar -xf would strip or write it):\n');
  const hostile = join(work, 'hostile-model');
  const refused = run(['extract', 'fixtures/traversal.nemo', '-C', hostile]);
  console.log(`$TMP/hostile-model afterwards: ${existsAsDir(hostile) ? `\n${list(hostile)}` : 'does not exist (nothing was written)'}\n`);

  console.log('2. The same model without it, NeMo layout with ./ entries:\n');
  const clean = join(work, 'clean-model');
  const accepted = run(['extract', 'fixtures/clean.nemo', '-C', clean]);
  console.log(`$TMP/clean-model afterwards:\n${list(clean)}`);
  process.exitCode = refused === 1 && accepted === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

function existsAsDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
