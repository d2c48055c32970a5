import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, RATIO_GRACE_BYTES, type Limits } from '../../src/limits.js';
import { ByteBudget, type StreamCount } from '../../src/vet/byte-budget.js';

// Real decompressed bytes against the limits, each at the limit and one past it: per member,
// whole archive, and the ratio per member (zip) and per stream (compressed tar). The ratio is
// judged only once RATIO_GRACE_BYTES have come out.

const budget = (limits: Partial<Limits> = {}): ByteBudget => {
  const made = new ByteBudget({ ...DEFAULT_LIMITS, ...limits });
  made.startMember();
  return made;
};

describe('per-member bytes (maxFileSize)', () => {
  it('accepts exactly maxFileSize bytes, fed in chunks', () => {
    const meter = budget({ maxFileSize: 100 });
    expect(meter.add(60, null, null)).toBeNull();
    expect(meter.add(40, null, null)).toBeNull();
  });

  it('refuses the byte past maxFileSize', () => {
    const meter = budget({ maxFileSize: 100 });
    meter.add(100, null, null);
    expect(meter.add(1, null, null)).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('per-file limit') });
  });

  it('starts counting again at each member', () => {
    const meter = budget({ maxFileSize: 100 });
    meter.add(100, null, null);
    meter.startMember();
    expect(meter.add(100, null, null)).toBeNull();
    expect(meter.total).toBe(200);
  });
});

describe('total bytes (maxSize)', () => {
  it('accepts exactly maxSize bytes across members', () => {
    const meter = budget({ maxSize: 150 });
    expect(meter.add(100, null, null)).toBeNull();
    meter.startMember();
    expect(meter.add(50, null, null)).toBeNull();
    expect(meter.total).toBe(150);
  });

  it('refuses the byte past maxSize, whichever member it is in', () => {
    const meter = budget({ maxSize: 150 });
    meter.add(100, null, null);
    meter.startMember();
    meter.add(50, null, null);
    meter.startMember();
    expect(meter.add(1, null, null)).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('total limit') });
  });
});

describe('member ratio (zip: output against the stored size)', () => {
  // 2 KiB stored may produce 2,048,000 bytes at 1000:1, past the 1 MiB grace.
  const stored = 2048;

  it('accepts exactly maxRatio times the stored size', () => {
    expect(budget().add(stored * 1000, stored, null)).toBeNull();
  });

  it('refuses one byte more', () => {
    const meter = budget();
    meter.add(stored * 1000, stored, null);
    expect(meter.add(1, stored, null)).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('member expands') });
  });

  it('honours a lowered maxRatio', () => {
    expect(budget({ maxRatio: 10 }).add(RATIO_GRACE_BYTES + 1, 1024, null)).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('10:1'),
    });
  });
});

describe('ratio grace: small members are not judged', () => {
  it('accepts RATIO_GRACE_BYTES from a 1-byte member, far past the ratio', () => {
    expect(budget().add(RATIO_GRACE_BYTES, 1, null)).toBeNull();
  });

  it('refuses the byte past RATIO_GRACE_BYTES once the ratio is exceeded', () => {
    const meter = budget();
    meter.add(RATIO_GRACE_BYTES, 1, null);
    expect(meter.add(1, 1, null)).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('member expands') });
  });

  it('accepts output past the grace while the ratio holds', () => {
    expect(budget().add(RATIO_GRACE_BYTES * 4, RATIO_GRACE_BYTES, null)).toBeNull();
  });
});

describe('stream ratio (compressed tar: all output against compressed bytes read)', () => {
  const compressed = 4096;
  /** A stream whose only output so far is what the members' bodies hold. */
  const stream = (read: number): StreamCount => ({ compressed: read, out: 0 });

  it('counts output no member body holds (headers, PAX records)', () => {
    // A member of 10 bytes after 4 MiB of global PAX headers from 4 KiB of gzip.
    expect(budget().add(10, null, { compressed, out: compressed * 1000 })).toBeNull();
    expect(budget().add(10, null, { compressed, out: compressed * 1000 + 1 })).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('archive expands more than 1000:1'),
    });
    expect(budget().add(10, null, { compressed: 1, out: RATIO_GRACE_BYTES })).toBeNull();
  });

  it('accepts exactly maxRatio times the compressed bytes', () => {
    const meter = budget();
    expect(meter.add(compressed * 500, null, stream(compressed))).toBeNull();
    meter.startMember();
    expect(meter.add(compressed * 500, null, stream(compressed))).toBeNull();
  });

  it('refuses one byte more, counted across members', () => {
    const meter = budget();
    meter.add(compressed * 500, null, stream(compressed));
    meter.startMember();
    meter.add(compressed * 500, null, stream(compressed));
    meter.startMember();
    expect(meter.add(1, null, stream(compressed))).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('archive expands') });
  });

  it('does not judge the ratio when nothing is compressed (a plain tar)', () => {
    expect(budget().add(RATIO_GRACE_BYTES * 10, null, null)).toBeNull();
  });
});
