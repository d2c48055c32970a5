import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What Python's tarfile did with one archive under `filter="data"`. */
export interface PythonOutcome {
  readonly ok: boolean;
  /** The exception, for a refusal: its class and message. */
  readonly error: string;
}

const SCRIPT = `
import json, sys, tarfile
jobs = json.load(open(sys.argv[1]))
results = []
for job in jobs:
    try:
        with tarfile.open(job["archive"]) as archive:
            archive.errorlevel = 2
            archive.extractall(job["dest"], filter="data")
        results.append({"ok": True, "error": ""})
    except Exception as error:
        results.append({"ok": False, "error": type(error).__name__ + ": " + str(error)})
json.dump(results, sys.stdout)
`;

/**
 * Extracts every archive with `tarfile.extractall(dest, filter="data")` (errorlevel 2: every
 * error raises) in one python3 process, so a corpus of hundreds costs one interpreter start.
 */
export function pythonDataFilterBatch(scratch: string, jobs: readonly { archive: string; dest: string }[]): PythonOutcome[] {
  const manifest = join(scratch, 'jobs.json');
  writeFileSync(manifest, JSON.stringify(jobs));
  const result = spawnSync('python3', ['-c', SCRIPT, manifest], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (result.status !== 0) throw new Error(`python3 batch failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PythonOutcome[];
}
