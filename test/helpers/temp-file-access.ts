import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FileAccess } from '../../src/readers/random-access.js';
import { makeSandbox, type Sandbox } from './sandbox.js';

/**
 * `fileAccess(bytes)` writes the bytes to a file in a fresh sandbox and opens it for positional
 * reads; each test's files are closed and removed after it. Call once at the top of a test file.
 */
export function useTempFileAccess(): (bytes: Buffer) => Promise<FileAccess> {
  const opened: FileAccess[] = [];
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    for (const access of opened.splice(0)) await access.close();
    for (const sandbox of sandboxes.splice(0)) sandbox.cleanup();
  });
  return async (bytes) => {
    const sandbox = makeSandbox();
    sandboxes.push(sandbox);
    const path = join(sandbox.root, 'data.bin');
    writeFileSync(path, bytes);
    const access = await FileAccess.open(path);
    opened.push(access);
    return access;
  };
}
