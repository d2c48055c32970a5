import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { makeTar } from '../helpers/make-tar.js';
import { gzipSync } from 'node:zlib';

const members = [{ name: 'a.txt', body: 'a' }];

describe('bytes after the end-of-archive marker', () => {
  it('zero padding to any blocking factor is accepted', async () => {
    const padded = Buffer.concat([makeTar(members), Buffer.alloc(64 * 1024)]);
    expect((await scan(padded)).verdict).toBe('accepted');
    expect((await scan(gzipSync(padded))).verdict).toBe('accepted');
  });

  it('a second archive after the marker (read by GNU tar -i) is AMBIGUOUS_FORMAT', async () => {
    const hidden = Buffer.concat([makeTar(members), makeTar([{ name: '../evil.sh', body: 'x' }])]);
    for (const bytes of [hidden, gzipSync(hidden)]) {
      const report = await scan(bytes);
      expect(report.findings).toEqual([expect.objectContaining({ code: 'AMBIGUOUS_FORMAT', member: null, action: 'refused' })]);
      expect(report.findings[0]!.message).toContain('tar -i');
    }
  });

  it('endless zeros after the marker stop at a bound', async () => {
    const report = await scan(gzipSync(Buffer.concat([makeTar(members), Buffer.alloc(17 * 1024 * 1024)])));
    expect(report.findings).toEqual([expect.objectContaining({ code: 'AMBIGUOUS_FORMAT' })]);
  });
});
