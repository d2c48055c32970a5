import { describe, expect, it } from 'vitest';
import { formatProgress } from '../../src/cli/format-progress.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('formatProgress', () => {
  it('shows a bar, the share, bytes of the total, the average rate and the ETA', () => {
    // 412 MiB in 4 s is 103 MiB/s; the 612 MiB left take 5.94 s, shown rounded up.
    expect(formatProgress({ done: 412 * MiB, total: GiB, elapsedMs: 4000, columns: 80 })).toBe(
      '[########..............]  40%  412.0 MiB / 1.0 GiB  103.0 MiB/s  ETA 0:06',
    );
  });

  it('keeps the bar where it is as the numbers change, and the line short of the terminal', () => {
    const lines = [
      formatProgress({ done: 0, total: 100 * GiB, elapsedMs: 0, columns: 80 }),
      formatProgress({ done: 1.5 * MiB, total: 100 * GiB, elapsedMs: 1, columns: 80 }),
      formatProgress({ done: 99 * GiB, total: 100 * GiB, elapsedMs: 10_000_000, columns: 80 }),
    ];
    expect(lines.map((line) => line.indexOf(']'))).toEqual([21, 21, 21]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(79);
    // 1.5 MiB in a millisecond is 1.46 GiB/s; the rest takes 68.3 s.
    expect(lines[1]).toBe('[....................]   0%  1.5 MiB / 100.0 GiB  1.5 GiB/s  ETA 1:09');
  });

  it('without a size (standard input) shows only the bytes and the rate', () => {
    expect(formatProgress({ done: 200 * MiB, total: null, elapsedMs: 2000, columns: 80 })).toBe('200.0 MiB  100.0 MiB/s');
  });

  it('before any time has passed there is no rate and no ETA', () => {
    expect(formatProgress({ done: 0, total: GiB, elapsedMs: 0, columns: 80 })).toBe('[......................]   0%  0 B / 1.0 GiB  -- B/s  ETA --:--');
  });

  it('narrows the bar to fit, drops it under ten cells, then cuts the line', () => {
    const at = { done: 412 * MiB, total: GiB, elapsedMs: 4000 };
    expect(formatProgress({ ...at, columns: 68 })).toBe('[####......]  40%  412.0 MiB / 1.0 GiB  103.0 MiB/s  ETA 0:06');
    expect(formatProgress({ ...at, columns: 67 })).toBe(' 40%  412.0 MiB / 1.0 GiB  103.0 MiB/s  ETA 0:06');
    expect(formatProgress({ ...at, columns: 40 })).toBe(' 40%  412.0 MiB / 1.0 GiB  103.0 MiB/s');
    expect(formatProgress({ done: 200 * MiB, total: null, elapsedMs: 2000, columns: 12 })).toBe('200.0 MiB');
  });

  it('gives hours in the ETA when the rest takes that long', () => {
    // 1 GiB in 100 s is 10.24 MiB/s; the 99 GiB left take 9900 s.
    expect(formatProgress({ done: GiB, total: 100 * GiB, elapsedMs: 100_000, columns: 80 })).toBe(
      '[....................]   1%  1.0 GiB / 100.0 GiB  10.2 MiB/s  ETA 2:45:00',
    );
  });

  it('never shows more than the total (a decoder reads ahead) or an empty archive as unfinished', () => {
    expect(formatProgress({ done: GiB + 5, total: GiB, elapsedMs: 1000, columns: 80 })).toBe(
      '[######################] 100%  1.0 GiB / 1.0 GiB  1.0 GiB/s  ETA 0:00',
    );
    expect(formatProgress({ done: 0, total: 0, elapsedMs: 1000, columns: 80 })).toBe('[##########################] 100%  0 B / 0 B  -- B/s  ETA 0:00');
  });

  it('rounds into the next unit rather than showing 1024.0 of the smaller one', () => {
    expect(formatProgress({ done: MiB - 1, total: null, elapsedMs: 1000, columns: 80 })).toBe('1.0 MiB  1.0 MiB/s');
    expect(formatProgress({ done: 1023, total: null, elapsedMs: 1000, columns: 80 })).toBe('1023 B  1023 B/s');
    expect(formatProgress({ done: 1536, total: null, elapsedMs: 2000, columns: 80 })).toBe('1.5 KiB  768 B/s');
  });
});
