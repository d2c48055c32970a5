import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { extract } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

// Where no worker thread can be started (a permission model, an embedder without them), the
// writer writes every small file on its own thread: the run is slower, not broken.
const started = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:worker_threads', () => ({
  Worker: class {
    constructor() {
      started.count += 1;
      throw new Error('worker threads are not available here');
    }
  },
}));

let sandbox: Sandbox;
afterEach(() => sandbox.cleanup());

it('extracts many small files without a worker thread', async () => {
  sandbox = makeSandbox();
  const files = Array.from({ length: 700 }, (_, i) => ({ name: `d${i % 10}/f${i}.bin`, body: randomBytes(100 + i) }));
  const report = await extract(makeTar(files), sandbox.dest);
  expect(report.written.files).toBe(700);
  for (const file of files) expect(readFileSync(join(sandbox.dest, file.name)).equals(file.body)).toBe(true);
  // It tried once, past the first 256 small files, and not again for every later file.
  expect(started.count).toBe(1);
});
