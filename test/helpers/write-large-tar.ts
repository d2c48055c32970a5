import { closeSync, openSync, writeSync } from 'node:fs';
import { tarHeader } from './make-tar.js';

/**
 * Writes a large tar to `path` without holding it in memory: each member's body is a
 * repeating, non-zero pattern (no sparse regions, nothing a filesystem could skip), so
 * extracting it really moves `size` bytes. Ends with the two zero blocks.
 */
export function writeLargeTar(path: string, members: readonly { name: string; size: number }[]): void {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 1 + (i % 251);
  const fd = openSync(path, 'w');
  try {
    for (const { name, size } of members) {
      writeSync(fd, tarHeader({ name, size }));
      for (let left = size; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      const padding = (512 - (size % 512)) % 512;
      if (padding > 0) writeSync(fd, Buffer.alloc(padding));
    }
    writeSync(fd, Buffer.alloc(1024));
  } finally {
    closeSync(fd);
  }
}
