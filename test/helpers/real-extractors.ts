import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from './sandbox.js';

/**
 * Runs a real, unguarded extractor over an archive in a scratch sandbox, so a test can show
 * the shape it refuses really escapes when the guard is off (Go's os.Root tests do the
 * same). The caller inspects `outside` and must call `cleanup()`.
 */
export interface Escape {
  readonly sandbox: Sandbox;
  /** The tool's exit status; many tools complain and still write outside. */
  readonly status: number | null;
  readonly stderr: string;
}

/** Extraction filters (and so `filter="fully_trusted"`) exist from 3.8.17, 3.11.4 and 3.12. */
const PY_PROBE = 'import tarfile; tarfile.fully_trusted_filter';

/** Why the tool cannot run here, or null when it can. */
export function missingTool(tool: 'tar' | 'python3'): string | null {
  const probe = tool === 'tar' ? spawnSync('tar', ['--version'], { encoding: 'utf8' }) : spawnSync('python3', ['-c', PY_PROBE], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${tool} is not installed`;
  if (probe.status !== 0) return tool === 'tar' ? 'tar --version failed' : 'python3 has no tarfile extraction filters (needs 3.8.17+, 3.11.4+ or 3.12)';
  if (tool === 'tar' && !probe.stdout.includes('GNU tar')) return 'tar is not GNU tar';
  return null;
}

/** An archive, or a function that builds it aimed at the scratch sandbox (for absolute names). */
export type ArchiveFor = Buffer | ((sandbox: Sandbox) => Buffer);

/** GNU `tar -xf archive <flags>` with the destination as working directory. */
export function gnuTarExtract(archive: ArchiveFor, ...flags: string[]): Escape {
  return run(archive, 'archive.tar', (path, dest) => ['tar', ['-xf', path, ...flags], dest]);
}

/** Python's `tarfile.open(archive).extractall(dest, filter='fully_trusted')`: no filter at all. */
export function pythonExtract(archive: ArchiveFor): Escape {
  const script = 'import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    t.extractall(sys.argv[2], filter="fully_trusted")';
  return run(archive, 'archive.tar', (path, dest) => ['python3', ['-c', script, path, dest], dest]);
}

/** Python's `zipfile.ZipFile(archive).extractall(dest)`, for showing what another reader sees. */
export function pythonZipNames(archive: Buffer): string[] {
  const sandbox = makeSandbox();
  try {
    const path = join(sandbox.root, 'archive.zip');
    writeFileSync(path, archive);
    const script = 'import sys, zipfile, json\nprint(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))';
    const result = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`python3 zipfile failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as string[];
  } finally {
    sandbox.cleanup();
  }
}

function run(archive: ArchiveFor, file: string, command: (path: string, dest: string) => [string, string[], string]): Escape {
  const sandbox = makeSandbox();
  const path = join(sandbox.root, file);
  writeFileSync(path, typeof archive === 'function' ? archive(sandbox) : archive);
  const [tool, args, cwd] = command(path, sandbox.dest);
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { sandbox, status: result.status, stderr: result.stderr };
}
