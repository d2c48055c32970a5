#!/usr/bin/env node
// `npm run bench`: slipguard's extraction speed and memory against the tools it replaces
// (design §8, issue 6). Plain Node ESM, no build step of its own; it runs the built CLI in
// dist/ (`npm run bench` builds first).
//
//   node scripts/bench.mjs [--size 1G] [--runs 5] [--only name,name] [--tmpfs DIR]
//                          [--small-files 20000] [--warmup 1] [--cache-dir DIR] [--json FILE]
//
// Fixtures are generated once and cached under .bench-cache/ (git-ignored), keyed by size.
// Every case runs its tools alternately (A B C A B C ...), each run into a fresh empty
// folder that is removed afterwards, through `/usr/bin/time -f '%e %M'`: elapsed seconds
// and peak RSS come from wait4 on the child itself. The table on stdout is Markdown;
// progress goes to stderr.

import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { unvettedDist } from './unvetted-dist.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CLI = join(ROOT, 'dist', 'cli', 'bin.js');
const TIME = '/usr/bin/time';
/** Bump when the fixtures change shape, so stale caches are not reused. */
const FIXTURE_VERSION = 1;
const MiB = 1024 * 1024;
const MTIME = 1_700_000_000;

const USAGE = `usage: node scripts/bench.mjs [options]
  --size N          size of the big member / stored zip / tar.gz input (default 1G; K, M, G)
  --runs N          timed runs per tool, alternating between tools (default 5)
  --warmup N        untimed runs per tool before the timed ones (default 1)
  --only a,b        cases to run: ${'nemo-tar, torch-zip, small-tar, small-zip, nemo-tar-gz, scan-tar'}
  --tmpfs DIR       run the cases in DIR (a tmpfs); otherwise one is mounted if possible
  --big-on-disk     run the big cases on the disk (page cache, under writeback) instead of the tmpfs
  --small-files N   files in the small-file cases (default 20000, in 200 folders)
  --cache-dir DIR   where fixtures are cached (default .bench-cache/, or $SLIPGUARD_BENCH_CACHE)
  --json FILE       also write every sample as JSON
  --slipguard FILE  the CLI to run (default dist/cli/bin.js); a copy of dist/ inside the repo
                    keeps a long run safe from rebuilds by others`;

// ---------------------------------------------------------------- options

function parseSize(text) {
  const match = /^([0-9]+)([KMGT]?)i?B?$/iu.exec(String(text).trim());
  if (match === null) fail(`not a size: ${JSON.stringify(text)} (use 16M, 1G, ...)`);
  const power = { '': 0, K: 1, M: 2, G: 3, T: 4 }[match[2].toUpperCase()];
  return Number(match[1]) * 1024 ** power;
}

function sizeLabel(bytes) {
  for (const [unit, power] of [
    ['T', 4],
    ['G', 3],
    ['M', 2],
    ['K', 1],
  ]) {
    if (bytes % 1024 ** power === 0) return `${bytes / 1024 ** power}${unit}`;
  }
  return String(bytes);
}

function positive(text, flag, min = 1) {
  if (!/^[0-9]+$/u.test(text) || Number(text) < min) fail(`--${flag} takes an integer >= ${min}, not ${JSON.stringify(text)}`);
  return Number(text);
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const CASE_NAMES = ['nemo-tar', 'torch-zip', 'small-tar', 'small-zip', 'nemo-tar-gz', 'scan-tar'];

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        size: { type: 'string', default: '1G' },
        runs: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '1' },
        only: { type: 'string' },
        tmpfs: { type: 'string' },
        'big-on-disk': { type: 'boolean', default: false },
        'small-files': { type: 'string', default: '20000' },
        'cache-dir': { type: 'string' },
        json: { type: 'string' },
        slipguard: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only =
    v.only === undefined
      ? CASE_NAMES
      : v.only
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  for (const name of only) if (!CASE_NAMES.includes(name)) fail(`unknown case ${JSON.stringify(name)}; cases: ${CASE_NAMES.join(', ')}`);
  const size = parseSize(v.size);
  if (size < MiB) fail('--size must be at least 1M');
  return {
    size,
    runs: positive(v.runs, 'runs'),
    warmup: positive(v.warmup, 'warmup', 0),
    only: CASE_NAMES.filter((name) => only.includes(name)),
    tmpfs: v.tmpfs === undefined ? null : resolve(v.tmpfs),
    bigOnDisk: v['big-on-disk'],
    smallFiles: positive(v['small-files'], 'small-files'),
    cacheDir: resolve(v['cache-dir'] ?? process.env.SLIPGUARD_BENCH_CACHE ?? join(ROOT, '.bench-cache')),
    json: v.json === undefined ? null : resolve(v.json),
    cli: resolve(v.slipguard ?? DEFAULT_CLI),
  };
}

// ---------------------------------------------------------------- cleanup

/** Things to undo on exit, newest first: work folders, a tmpfs mount. */
const cleanups = [];
let currentChild = null;

function runCleanups() {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    try {
      step();
    } catch (error) {
      process.stderr.write(`bench: cleanup: ${error.message}\n`);
    }
  }
}

process.on('exit', runCleanups);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write(`bench: ${signal}, cleaning up\n`);
    const child = currentChild;
    const finish = () => {
      runCleanups();
      process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
    };
    if (child === null || child.exitCode !== null || child.signalCode !== null) return finish();
    child.once('exit', finish);
    child.kill('SIGKILL');
  });
}

function removeLater(path) {
  cleanups.push(() => rmSync(path, { recursive: true, force: true }));
}

// ---------------------------------------------------------------- machine facts

function sh(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function haveCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

function fsType(path) {
  return sh('stat', ['-f', '-c', '%T', path]) ?? 'unknown';
}

function machineFacts() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  const head = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']);
  return {
    date: new Date().toISOString(),
    nproc: sh('nproc', []) ?? String(availableParallelism()),
    cpu,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    kernel: release(),
    node: process.version,
    gnuTar: sh('tar', ['--version'])?.split('\n')[0] ?? 'missing',
    unzip: (spawnSync('unzip', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0] || 'missing',
    hyperfine: haveCommand('hyperfine') ? 'installed (not used)' : 'not installed (not used)',
    slipguard: head === null ? 'unknown' : `git ${head}${dirty ? ' + uncommitted changes in src/' : ''}`,
  };
}

// ---------------------------------------------------------------- fixtures

/**
 * Model-weight-like bytes: little-endian fp16 with a random low byte and a high byte of sign
 * plus one of 16 exponent/mantissa patterns, so gzip finds a little to compress (~90%) and
 * nothing is sparse or zero. Fresh random bytes for every 1 MiB block.
 */
function fillWeights(buffer) {
  randomFillSync(buffer);
  for (let i = 1; i < buffer.length; i += 2) buffer[i] = (buffer[i] & 0x80) | (0x30 | (buffer[i] & 0x0f));
  return buffer;
}

function writeWeights(path, size) {
  const fd = openSync(path, 'wx', 0o644);
  const block = Buffer.allocUnsafe(MiB);
  try {
    for (let left = size; left > 0;) {
      const n = Math.min(left, MiB);
      fillWeights(block);
      let at = 0;
      while (at < n) at += writeSync(fd, block, at, n - at);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

function text(lines, width) {
  const out = [];
  for (let i = 0; i < lines; i++) out.push(`${`token_${i}`.padEnd(width, 'x')} ${i}`);
  return `${out.join('\n')}\n`;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MiB, ...options });
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function fileTotals(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (path) => {
    for (const child of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, child.name);
      if (child.isDirectory()) walk(full);
      else if (child.isFile()) {
        files += 1;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/**
 * Returns the cached fixture files (and their manifest of regular files and bytes), making
 * them first when missing. `make(tmp)` builds into a private folder whose files are then
 * renamed into place, so an interrupted build is never reused.
 */
function cached(dir, names, make) {
  const manifestPath = join(dir, 'manifest.json');
  const paths = Object.fromEntries(names.map((name) => [name, join(dir, name)]));
  if (existsSync(manifestPath) && names.every((name) => existsSync(paths[name]))) {
    return { ...paths, manifest: JSON.parse(readFileSync(manifestPath, 'utf8')), reused: true };
  }
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, `.tmp-${process.pid}-`));
  removeLater(tmp);
  const started = performance.now();
  const manifest = make(tmp);
  for (const name of names) renameSync(join(tmp, name), paths[name]);
  writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  renameSync(join(tmp, 'manifest.json'), manifestPath);
  rmSync(tmp, { recursive: true, force: true });
  progress(`  made ${names.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { ...paths, manifest, reused: false };
}

/** (a) NeMo-shaped tar: `./`, config, tokenizer files and one big `./model_weights.ckpt`. */
function nemoTar(options) {
  const dir = join(options.cacheDir, `fixtures-v${FIXTURE_VERSION}`, `size-${sizeLabel(options.size)}`);
  return cached(join(dir, 'nemo-tar'), ['model.nemo'], (tmp) => {
    progress(`  generating the NeMo-shaped tar (${sizeLabel(options.size)} member)`);
    const stage = join(tmp, 'stage');
    mkdirSync(stage, { mode: 0o755 });
    writeFileSync(join(stage, 'model_config.yaml'), `# NeMo-shaped config\n${text(200, 32)}`);
    writeFileSync(join(stage, '3f2a9c1e_tokenizer.model'), fillWeights(Buffer.alloc(256 * 1024)));
    writeFileSync(join(stage, '3f2a9c1e_vocab.txt'), text(4000, 12));
    writeFileSync(join(stage, '8b7d6e5f_tokenizer.vocab'), text(4000, 16));
    writeWeights(join(stage, 'model_weights.ckpt'), options.size);
    const manifest = fileTotals(stage);
    // GNU tar, as `tar -cf x.nemo -C dir .` makes it: a `./` root entry and `./name` members.
    run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${MTIME}`, '-cf', join(tmp, 'model.nemo'), '-C', stage, '.']);
    rmSync(stage, { recursive: true, force: true });
    return manifest;
  });
}

/** A tar of four small files: what scanning a tar costs when there is nothing to pass over. */
function fourMemberTar(options) {
  return cached(join(options.cacheDir, `fixtures-v${FIXTURE_VERSION}`, 'four-member'), ['four.tar'], (tmp) => {
    const stage = join(tmp, 'stage');
    mkdirSync(stage, { mode: 0o755 });
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) writeFileSync(join(stage, name), text(10, 20));
    const manifest = fileTotals(stage);
    run('tar', [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${MTIME}`,
      '-cf',
      join(tmp, 'four.tar'),
      '-C',
      stage,
      'a.txt',
      'b.txt',
      'c.txt',
      'd.txt',
    ]);
    rmSync(stage, { recursive: true, force: true });
    return manifest;
  });
}

/** (b) torch-shaped stored zip: archive/data.pkl, archive/data/0..N, no folder entries. */
function torchZip(options) {
  const dir = join(options.cacheDir, `fixtures-v${FIXTURE_VERSION}`, `size-${sizeLabel(options.size)}`);
  return cached(join(dir, 'torch-zip'), ['model.pt'], (tmp) => {
    progress(`  generating the torch-shaped stored zip (${sizeLabel(options.size)})`);
    const stage = join(tmp, 'stage');
    const data = join(stage, 'archive', 'data');
    mkdirSync(data, { recursive: true });
    mkdirSync(join(stage, 'archive', '.data'));
    writeFileSync(join(stage, 'archive', 'data.pkl'), text(1000, 40));
    writeFileSync(join(stage, 'archive', 'byteorder'), 'little');
    writeFileSync(join(stage, 'archive', 'version'), '3\n');
    writeFileSync(join(stage, 'archive', '.data', 'serialization_id'), '0123456789012345678901234567890123456789');
    // 16 large tensors that add up to --size, then 64 small ones (norms, biases) of 1-64 KiB.
    const large = Math.floor(options.size / 16);
    for (let i = 0; i < 16; i++) writeWeights(join(data, String(i)), i === 0 ? options.size - large * 15 : large);
    for (let i = 0; i < 64; i++) writeFileSync(join(data, String(16 + i)), fillWeights(Buffer.alloc(1024 * (1 + i))));
    const manifest = fileTotals(stage);
    // Info-ZIP, stored (-0), no folder entries (-D) and no extra attributes (-X), like torch.save.
    run('zip', ['-0', '-r', '-q', '-D', '-X', join(tmp, 'model.pt'), 'archive'], { cwd: stage });
    rmSync(stage, { recursive: true, force: true });
    return manifest;
  });
}

/** (d) the NeMo tar, gzipped with `gzip -6` (gzip's default, what `tar -czf` uses). */
function nemoTarGz(options) {
  const dir = join(options.cacheDir, `fixtures-v${FIXTURE_VERSION}`, `size-${sizeLabel(options.size)}`);
  const tar = nemoTar(options);
  return cached(join(dir, 'nemo-tar-gz'), ['model.nemo.tar.gz'], (tmp) => {
    progress('  gzipping the NeMo tar (gzip -6, one-time)');
    const out = openSync(join(tmp, 'model.nemo.tar.gz'), 'wx', 0o644);
    try {
      const result = spawnSync('gzip', ['-6', '-n', '-c', tar['model.nemo']], { stdio: ['ignore', out, 'pipe'] });
      if (result.status !== 0) throw new Error(`gzip failed: ${result.stderr}`);
    } finally {
      closeSync(out);
    }
    return tar.manifest;
  });
}

const SMALL_FILES_PY = String.raw`
import io, json, random, sys, tarfile, time, zipfile
count, folders, tar_path, zip_path, mtime = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
rng = random.Random(6)
date = time.gmtime(mtime)[:6]
total = 0
index = 0
with tarfile.open(tar_path, 'w', format=tarfile.GNU_FORMAT) as tar, zipfile.ZipFile(zip_path, 'w') as z:
    for d in range(folders):
        folder = 'd%03d' % d
        info = tarfile.TarInfo(folder)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
        tar.addfile(info)
        zinfo = zipfile.ZipInfo(folder + '/', date)
        zinfo.create_system, zinfo.external_attr = 3, (0o40755 << 16) | 0x10
        z.writestr(zinfo, b'')
        for _ in range(count // folders + (1 if d < count % folders else 0)):
            size = rng.randint(1024, 4096)
            # hex text: deflates to a little over half, like configs and token lists
            data = rng.randbytes((size + 1) // 2).hex()[:size].encode()
            name = '%s/f%05d.txt' % (folder, index)
            index += 1
            total += size
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
            zinfo = zipfile.ZipInfo(name, date)
            zinfo.create_system, zinfo.external_attr, zinfo.compress_type = 3, 0o100644 << 16, zipfile.ZIP_DEFLATED
            z.writestr(zinfo, data)
print(json.dumps({'files': index, 'bytes': total}))
`;

/** (c) N files of 1-4 KiB in 200 folders, as a tar and as a deflated zip (same bytes). */
function smallFiles(options) {
  const folders = Math.min(200, options.smallFiles);
  const dir = join(options.cacheDir, `fixtures-v${FIXTURE_VERSION}`, `small-${options.smallFiles}`);
  return cached(dir, ['small.tar', 'small.zip'], (tmp) => {
    progress(`  generating ${options.smallFiles} small files in ${folders} folders (python tarfile/zipfile)`);
    const out = run('python3', [
      '-c',
      SMALL_FILES_PY,
      String(options.smallFiles),
      String(folders),
      join(tmp, 'small.tar'),
      join(tmp, 'small.zip'),
      String(MTIME),
    ]);
    return JSON.parse(out);
  });
}

// ---------------------------------------------------------------- tools

const NODE_TAR = `const [url, file, cwd] = process.argv.slice(1);
const tar = await import(url);
await tar.x({ file, cwd });`;

const YAUZL = `const [url, file, dest] = process.argv.slice(1);
const { default: yauzl } = await import(url);
const { createWriteStream, mkdirSync } = await import('node:fs');
const { dirname, join } = await import('node:path');
const { pipeline } = await import('node:stream/promises');
// A plain yauzl extractor: openReadStream with its default reads, piped to a file.
const zip = await new Promise((ok, no) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? no(e) : ok(z))));
await new Promise((ok, no) => {
  zip.on('error', no);
  zip.on('end', ok);
  zip.on('entry', (entry) => {
    const path = join(dest, entry.fileName);
    if (entry.fileName.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      zip.readEntry();
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    zip.openReadStream(entry, (error, stream) => {
      if (error) return no(error);
      pipeline(stream, createWriteStream(path)).then(() => zip.readEntry(), no);
    });
  });
  zip.readEntry();
});`;

const EXTRACT_ZIP = `const [url, file, dir] = process.argv.slice(1);
const { default: extract } = await import(url);
await extract(file, { dir });`;

const NODE_GUNZIP = `const [file] = process.argv.slice(1);
const { createReadStream } = await import('node:fs');
const { createGunzip } = await import('node:zlib');
const { Writable } = await import('node:stream');
const { pipeline } = await import('node:stream/promises');
await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 20 }), new Writable({ write(_c, _e, done) { done(); } }));`;

function resolveModule(name) {
  try {
    return import.meta.resolve(name);
  } catch {
    return null;
  }
}

/**
 * Each tool: how to run it on (archive, dest), and whether it writes files (checked after
 * every run against the fixture's manifest).
 */
function tools(cli, options) {
  const node = process.execPath;
  const tarUrl = resolveModule('tar');
  const yauzlUrl = resolveModule('yauzl');
  const extractZipUrl = resolveModule('extract-zip');
  const missing = (why) => ({ skip: why });
  return {
    slipguard: { label: 'slipguard', writes: true, argv: (a, d) => [node, cli, 'extract', a, '-C', d] },
    // The same reader and writer with vetEntry accepting every member: what vetting costs (issue 6).
    'slipguard-unvetted': {
      label: 'slipguard without vetting',
      writes: true,
      argv: (a, d) => [node, (options.unvettedCli ??= unvettedDist(cli, join(options.scratch, 'unvetted'))), 'extract', a, '-C', d],
    },
    'slipguard-scan': { label: 'slipguard scan', writes: false, argv: (a) => [node, cli, 'scan', a] },
    'scan-4-members': { label: 'slipguard scan of a 4-member tar', writes: false, argv: () => [node, cli, 'scan', fourMemberTar(options)['four.tar']] },
    'gnu-tar': { label: 'GNU tar -xf', writes: true, argv: (a, d) => ['tar', '-xf', a, '-C', d] },
    'gnu-tar-z': { label: 'GNU tar -xzf', writes: true, argv: (a, d) => ['tar', '-xzf', a, '-C', d] },
    unzip: haveCommand('unzip') ? { label: 'unzip -q', writes: true, argv: (a, d) => ['unzip', '-q', a, '-d', d] } : missing('unzip is not installed'),
    'node-tar':
      tarUrl === null
        ? missing('node_modules/tar is not installed')
        : { label: 'node-tar x()', writes: true, argv: (a, d) => [node, '--input-type=module', '-e', NODE_TAR, tarUrl, a, d] },
    yauzl:
      yauzlUrl === null
        ? missing('node_modules/yauzl is not installed')
        : { label: 'yauzl stream copy', writes: true, argv: (a, d) => [node, '--input-type=module', '-e', YAUZL, yauzlUrl, a, d] },
    'extract-zip':
      extractZipUrl === null
        ? missing('extract-zip is not installed (no dependencies are added for the bench)')
        : { label: 'extract-zip', writes: true, argv: (a, d) => [node, '--input-type=module', '-e', EXTRACT_ZIP, extractZipUrl, a, d] },
    'node-gunzip': { label: 'node gunzip only', writes: false, argv: (a) => [node, '--input-type=module', '-e', NODE_GUNZIP, a] },
    cat: { label: 'cat > /dev/null', writes: false, argv: (a) => ['cat', a] },
  };
}

// ---------------------------------------------------------------- cases

const CASES = {
  'nemo-tar': {
    title: (o) => `NeMo tar, ${sizeLabel(o.size)} member`,
    fixture: (o) => nemoTar(o)['model.nemo'],
    manifest: (o) => nemoTar(o).manifest,
    small: false,
    tools: ['slipguard', 'gnu-tar', 'node-tar', 'cat'],
    targets: [{ vs: 'gnu-tar', max: 0.8 }],
    rssMaxMiB: 100,
  },
  'torch-zip': {
    title: (o) => `torch stored zip, ${sizeLabel(o.size)}`,
    fixture: (o) => torchZip(o)['model.pt'],
    manifest: (o) => torchZip(o).manifest,
    small: false,
    tools: ['slipguard', 'unzip', 'yauzl', 'extract-zip', 'cat'],
    targets: [{ vs: 'unzip', max: 0.25 }],
  },
  'small-tar': {
    title: (o) => `${o.smallFiles} small files, tar`,
    fixture: (o) => smallFiles(o)['small.tar'],
    manifest: (o) => smallFiles(o).manifest,
    small: true,
    vetOverhead: true,
    tools: ['slipguard', 'slipguard-unvetted', 'gnu-tar', 'node-tar', 'cat'],
    targets: [
      { vs: 'gnu-tar', max: 3 },
      { vs: 'slipguard-unvetted', max: 1.05 },
    ],
  },
  'small-zip': {
    title: (o) => `${o.smallFiles} small files, deflated zip`,
    fixture: (o) => smallFiles(o)['small.zip'],
    manifest: (o) => smallFiles(o).manifest,
    small: true,
    vetOverhead: true,
    tools: ['slipguard', 'slipguard-unvetted', 'unzip', 'yauzl', 'extract-zip', 'cat'],
    targets: [
      { vs: 'unzip', max: 1.5 },
      { vs: 'slipguard-unvetted', max: 1.05 },
    ],
  },
  'scan-tar': {
    title: (o) => `scan of the NeMo tar, ${sizeLabel(o.size)} member`,
    fixture: (o) => nemoTar(o)['model.nemo'],
    manifest: (o) => nemoTar(o).manifest,
    small: false,
    subject: 'slipguard-scan',
    tools: ['slipguard-scan', 'scan-4-members'],
    targets: [{ vs: 'scan-4-members', max: 1.5 }],
  },
  'nemo-tar-gz': {
    title: (o) => `NeMo tar.gz (gzip -6), ${sizeLabel(o.size)} member`,
    fixture: (o) => nemoTarGz(o)['model.nemo.tar.gz'],
    manifest: (o) => nemoTarGz(o).manifest,
    small: false,
    tools: ['slipguard', 'gnu-tar-z', 'node-tar', 'node-gunzip', 'cat'],
    targets: [{ vs: 'gnu-tar-z', max: 0.5 }],
  },
};

// ---------------------------------------------------------------- measuring

function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function progress(line) {
  process.stderr.write(`${line}\n`);
}

/** Reads the whole file once so every tool starts with it in the page cache. */
function warmPageCache(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(4 * MiB);
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** One run of one tool under GNU time: elapsed seconds and peak RSS (KiB) from wait4. */
function timed(argv, timeFile, discardStdout) {
  return new Promise((ok, no) => {
    const [command, ...args] = argv;
    const started = process.hrtime.bigint();
    const child = spawn(TIME, ['-f', '%e %M %U %S', '-o', timeFile, command, ...args], { stdio: ['ignore', discardStdout ? 'ignore' : 'pipe', 'pipe'] });
    currentChild = child;
    let output = '';
    const keep = (chunk) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', no);
    child.once('close', (code, signal) => {
      currentChild = null;
      const parentSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return no(new Error(`${argv.join(' ')} exited ${code ?? signal}:\n${output.trim()}`));
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      const match = /^([0-9.]+) ([0-9]+) ([0-9.]+) ([0-9.]+)$/u.exec(last);
      if (match === null) return no(new Error(`cannot read ${TIME} output: ${JSON.stringify(last)}`));
      ok({ seconds: Number(match[1]), rssKiB: Number(match[2]), cpuSeconds: Number(match[3]) + Number(match[4]), parentSeconds });
    });
  });
}

async function runCase(name, options, toolTable, places) {
  const spec = CASES[name];
  const archive = spec.fixture(options);
  const manifest = spec.manifest(options);
  const base = spec.small ? places.small : places.big;
  const timeFile = join(places.scratch, 'time.txt');
  const active = [];
  const skipped = [];
  for (const tool of spec.tools) {
    if (toolTable[tool].skip !== undefined) skipped.push({ tool, why: toolTable[tool].skip });
    else active.push(tool);
  }
  progress(`\n== ${name}: ${spec.title(options)} (${(statSync(archive).size / MiB).toFixed(1)} MiB archive, ${manifest.files} files), into ${base.describe}`);
  for (const { tool, why } of skipped) progress(`  ${tool}: skipped, ${why}`);
  warmPageCache(archive);
  const loadBefore = loadAverage();
  progress(`  load average before: ${loadBefore}`);
  const samples = Object.fromEntries(active.map((tool) => [tool, []]));
  let serial = 0;
  const once = async (tool) => {
    const dest = join(base.dir, `${name}-${tool}-${serial++}`);
    mkdirSync(dest);
    try {
      const spec2 = toolTable[tool];
      const sample = await timed(spec2.argv(archive, dest), timeFile, !spec2.writes);
      if (spec2.writes) {
        const got = fileTotals(dest);
        if (got.files !== manifest.files || got.bytes !== manifest.bytes) {
          throw new Error(`${tool} wrote ${got.files} files / ${got.bytes} bytes, expected ${manifest.files} / ${manifest.bytes}`);
        }
      }
      return sample;
    } finally {
      rmSync(dest, { recursive: true, force: true });
      // Start the next run without this one's metadata still being written back.
      if (!spec.small) spawnSync('sync');
    }
  };
  // A tool that fails (exit code, wrong output) is reported in the table and not run again.
  const failed = [];
  const attempt = async (tool) => {
    if (failed.some((f) => f.tool === tool)) return null;
    try {
      return await once(tool);
    } catch (error) {
      const why = error.message.split('\n').filter(Boolean).slice(-1)[0] ?? error.message;
      failed.push({ tool, why: `FAILED: ${why}` });
      progress(`  ${tool} FAILED: ${error.message}`);
      return null;
    }
  };
  for (let round = 0; round < options.warmup; round++) for (const tool of active) await attempt(tool);
  for (let round = 0; round < options.runs; round++) {
    const line = [];
    for (const tool of active) {
      const sample = await attempt(tool);
      if (sample === null) continue;
      samples[tool].push(sample);
      line.push(`${tool} ${sample.seconds.toFixed(2)}s (cpu ${sample.cpuSeconds.toFixed(2)}s) ${(sample.rssKiB / 1024).toFixed(0)}MiB`);
    }
    progress(`  run ${round + 1}/${options.runs}: ${line.join(' | ')}`);
  }
  for (const { tool } of failed) delete samples[tool];
  const load = { before: loadBefore, after: loadAverage() };
  progress(`  load average after: ${load.after}`);
  return { name, archive, title: spec.title(options), archiveBytes: statSync(archive).size, manifest, samples, skipped, failed, load, spec };
}

// ---------------------------------------------------------------- places to extract into

function mountTmpfs(options, scratch) {
  if (options.tmpfs !== null) {
    const type = fsType(options.tmpfs);
    const dir = mkdtempSync(join(options.tmpfs, 'slipguard-bench-'));
    removeLater(dir);
    return { dir, describe: `${dir} (--tmpfs, ${type})`, noisy: type !== 'tmpfs' };
  }
  const mountPoint = join(scratch, 'tmpfs');
  mkdirSync(mountPoint);
  // Room for the big member twice over (a run, and one being removed) and the small cases.
  const gib = Math.max(2, Math.ceil((2 * options.size) / 1024 ** 3) + 1);
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${gib}G,mode=0700`, 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (result.status === 0) {
    cleanups.push(() => {
      const un = spawnSync('umount', [mountPoint], { encoding: 'utf8' });
      if (un.status !== 0) spawnSync('umount', ['-l', mountPoint]);
      rmdirSync(mountPoint);
    });
    return { dir: mountPoint, describe: `a tmpfs mounted at ${mountPoint}`, noisy: false };
  }
  const why = (result.stderr || result.error?.message || 'mount failed').trim().split('\n')[0];
  const dir = join(scratch, 'small-on-disk');
  mkdirSync(dir);
  return { dir, describe: `${dir} on disk (${fsType(dir)}): could not mount a tmpfs (${why}); small-file numbers are noisy`, noisy: true };
}

// ---------------------------------------------------------------- report

/**
 * vetEntry alone, timed over the archive's entries by scripts/vet-cost.mjs, next to
 * slipguard's median for the whole run: where the overhead the slipguard-unvetted row
 * measures comes from. Informational; the target is judged on that row.
 */
function vetOverhead(results) {
  const lines = [];
  for (const result of results) {
    const extraction = result.samples.slipguard;
    if (!result.spec.vetOverhead || extraction === undefined || extraction.length === 0) continue;
    const child = spawnSync(process.execPath, [join(ROOT, 'scripts', 'vet-cost.mjs'), result.archive, '--runs', '5'], { encoding: 'utf8' });
    if (child.status !== 0) {
      lines.push(`- ${result.name}: vet-cost failed: ${(child.stderr || '').trim().split('\n')[0]}`);
      continue;
    }
    const { entries, coldMs, warmMs } = JSON.parse(child.stdout);
    const totalMs = median(extraction.map((sample) => sample.seconds)) * 1000;
    const share = (ms) => `${((100 * ms) / totalMs).toFixed(1)}%`;
    lines.push(
      `- ${result.name}: vetEntry over ${entries} entries takes ${coldMs.toFixed(1)} ms on its first pass (${share(coldMs)} of the ${(totalMs / 1000).toFixed(2)} s extraction), ${warmMs.toFixed(1)} ms warm (${share(warmMs)})`,
    );
  }
  return lines.length === 0
    ? []
    : [
        'vetEntry alone (scripts/vet-cost.mjs: first pass, then the median of 4 warm passes); the overhead target is judged on the slipguard-unvetted rows above:',
        ...lines,
      ];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ratio(a, b) {
  return b > 0 ? a / b : null;
}

function summarize(result) {
  const stats = {};
  for (const [tool, list] of Object.entries(result.samples)) {
    const seconds = list.map((s) => s.seconds);
    stats[tool] = {
      median: median(seconds),
      min: Math.min(...seconds),
      max: Math.max(...seconds),
      cpu: median(list.map((s) => s.cpuSeconds)),
      rssMiB: Math.max(...list.map((s) => s.rssKiB)) / 1024,
    };
  }
  const subject = result.spec.subject ?? 'slipguard';
  const mine = stats[subject];
  const verdicts = [];
  for (const target of result.spec.targets) {
    const theirs = stats[target.vs];
    if (theirs === undefined && mine !== undefined) continue; // the baseline could not run: no verdict
    const r = mine === undefined ? null : ratio(mine.median, theirs.median);
    verdicts.push({ subject, tool: target.vs, kind: 'time', value: r, max: target.max, met: r !== null && r <= target.max, failed: mine === undefined });
  }
  if (result.spec.rssMaxMiB !== undefined) {
    verdicts.push({
      tool: subject,
      kind: 'rss',
      value: mine?.rssMiB ?? null,
      max: result.spec.rssMaxMiB,
      met: mine !== undefined && mine.rssMiB <= result.spec.rssMaxMiB,
      failed: mine === undefined,
    });
  }
  return { stats, verdicts };
}

function table(results, toolTable) {
  const rows = [['case', 'tool', 'median s', 'min s', 'max s', 'cpu s', 'peak RSS MiB', 'slipguard / tool', 'target', 'met']];
  const targetLines = [];
  const notes = [];
  const loads = [];
  for (const result of results) {
    loads.push(`- ${result.name}: ${result.load.before} before, ${result.load.after} after`);
    const { stats, verdicts } = summarize(result);
    let first = true;
    for (const tool of result.spec.tools) {
      const caseCell = first ? `${result.name} (${result.title})` : '';
      first = false;
      const label = `${tool}${toolTable[tool].label === undefined || toolTable[tool].label === tool ? '' : ` (${toolTable[tool].label})`}`;
      const verdict = verdicts.find((v) => v.tool === tool);
      const targetCell = verdict === undefined ? '' : verdict.kind === 'time' ? `<= ${verdict.max}x` : `RSS <= ${verdict.max} MiB`;
      const metCell = verdict === undefined ? '' : verdict.met ? 'met' : '**not met**';
      const gone = result.skipped.find((s) => s.tool === tool) ?? result.failed.find((s) => s.tool === tool);
      if (gone !== undefined) {
        notes.push(`- ${result.name}, ${tool}: ${gone.why}`);
        rows.push([caseCell, label, gone.why.startsWith('FAILED') ? '**FAILED**' : 'skipped', '-', '-', '-', '-', '-', targetCell, metCell]);
        continue;
      }
      const s = stats[tool];
      const subject = result.spec.subject ?? 'slipguard';
      const r = tool === subject ? null : ratio(stats[subject]?.median ?? NaN, s.median);
      rows.push([
        caseCell,
        label,
        s.median.toFixed(2),
        s.min.toFixed(2),
        s.max.toFixed(2),
        s.cpu.toFixed(2),
        s.rssMiB.toFixed(1),
        tool === subject ? '-' : r === null || !Number.isFinite(r) ? 'n/a' : `${r.toFixed(2)}x`,
        targetCell,
        metCell,
      ]);
    }
    for (const v of verdicts) {
      let what;
      if (v.failed)
        what =
          v.kind === 'time'
            ? `${v.subject}/${v.tool}: ${v.subject} failed, target <= ${v.max}x`
            : `slipguard peak RSS: slipguard failed, target <= ${v.max} MiB`;
      else if (v.kind === 'time') what = `${v.subject}/${v.tool} = ${v.value === null ? 'n/a (0 s baseline)' : `${v.value.toFixed(2)}x`}, target <= ${v.max}x`;
      else what = `slipguard peak RSS ${v.value.toFixed(1)} MiB, target <= ${v.max} MiB`;
      targetLines.push(`- ${result.name}: ${what}: ${v.met ? 'met' : 'NOT MET'}`);
    }
  }
  const cell = (text) => text.replaceAll('|', '\\|');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => cell(row[i]).length)));
  const line = (row) => `| ${row.map((text, i) => cell(text).padEnd(widths[i])).join(' | ')} |`;
  const out = [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line), '', 'Targets (design §8):', ...targetLines];
  if (notes.length > 0) out.push('', 'Not measured:', ...notes);
  out.push('', 'Load average (1, 5, 15 min) around each case; above the core count, other work shared the CPUs:', ...loads);
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const options = readOptions();
  if (!existsSync(options.cli)) fail(`${options.cli} is missing: run \`npm run build\` first (npm run bench does)`);
  if (!existsSync(TIME)) fail(`${TIME} (GNU time) is needed for wall time and peak RSS`);
  const facts = machineFacts();

  const scratch = mkdtempSync(join(tmpdir(), 'slipguard-bench-'));
  removeLater(scratch);
  const toolTable = tools(options.cli, { ...options, scratch });
  const big = join(scratch, 'big');
  mkdirSync(big);
  // Every case extracts into a tmpfs when one can be had: on the disk, 1 GiB of dirty pages
  // puts each run under writeback, and one tool's timing swings 3x from run to run.
  const needsTmpfs = options.only.some((name) => CASES[name].small || !options.bigOnDisk);
  const tmpfs = needsTmpfs ? mountTmpfs(options, scratch) : null;
  const bigOnTmpfs = tmpfs !== null && !tmpfs.noisy && !options.bigOnDisk;
  const places = {
    scratch,
    big: bigOnTmpfs ? { dir: tmpfs.dir, describe: tmpfs.describe } : { dir: big, describe: `${big} (${fsType(big)}, page cache)` },
    small: options.only.some((name) => CASES[name].small) ? tmpfs : null,
  };

  const out = [];
  out.push('# slipguard bench');
  out.push('');
  out.push(`- command: node scripts/bench.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
  out.push(`- date: ${facts.date}`);
  out.push(`- machine: ${facts.nproc} cores (nproc), ${facts.cpu}, ${facts.memory} RAM, Linux ${facts.kernel}`);
  out.push(`- node ${facts.node}; ${facts.gnuTar}; ${facts.unzip}; hyperfine ${facts.hyperfine}`);
  out.push(`- slipguard: ${facts.slipguard}, running ${relative(ROOT, options.cli) || options.cli}`);
  out.push(`- size ${sizeLabel(options.size)}, ${options.runs} timed runs per tool (medians), ${options.warmup} warm-up, tools alternating within each round`);
  out.push(`- big cases extract into ${places.big.describe}`);
  if (places.small !== null) out.push(`- small-file cases extract into ${places.small.describe}`);
  out.push('- seconds: elapsed (%e, 10 ms resolution), cpu = user + sys (%U + %S) and peak RSS (%M) from /usr/bin/time, i.e. wait4 on each child');
  process.stdout.write(`${out.join('\n')}\n`);
  if (places.small?.noisy) progress('bench: WARNING: small-file cases run on disk, not tmpfs: their timings are noisy (journal stalls)');

  progress('fixtures:');
  for (const name of options.only) {
    CASES[name].fixture(options);
  }

  const results = [];
  for (const name of options.only) results.push(await runCase(name, options, toolTable, places));

  process.stdout.write(`\n${table(results, toolTable)}\n`);
  const vetting = vetOverhead(results);
  if (vetting.length > 0) process.stdout.write(`\n${vetting.join('\n')}\n`);
  const failures = results.flatMap((result) => result.failed.map((f) => `${result.name}/${f.tool}`));
  if (failures.length > 0) {
    progress(`bench: ${failures.length} tool run(s) failed: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
  if (options.json !== null) {
    const raw = { facts, options, results: results.map(({ spec, ...rest }) => ({ ...rest, ...summarize({ ...rest, spec }) })) };
    writeFileSync(options.json, `${JSON.stringify(raw, null, 2)}\n`);
  }
}

main().then(
  () => {
    runCleanups();
    process.exit(process.exitCode ?? 0);
  },
  (error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    runCleanups();
    process.exit(1);
  },
);
