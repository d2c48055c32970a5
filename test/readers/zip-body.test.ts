import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContainerError } from '../../src/readers/container-error.js';
import { BufferAccess, FileAccess, type RandomAccess } from '../../src/readers/random-access.js';
import { SMALL_MEMBER } from '../../src/readers/zip-body.js';
import { readZip } from '../../src/readers/zip-reader.js';
import { makeZip, type ZipMember } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;

let sandbox: Sandbox | null = null;
let opened: RandomAccess | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await opened?.close();
  opened = null;
  sandbox?.cleanup();
  sandbox = null;
});

type Open = (zip: Buffer) => Promise<RandomAccess>;

async function onDisk(zip: Buffer): Promise<RandomAccess> {
  sandbox = makeSandbox();
  const path = join(sandbox.root, 'archive.zip');
  writeFileSync(path, zip);
  opened = await FileAccess.open(path);
  return opened;
}

const inMemory: Open = (zip) => Promise.resolve(new BufferAccess(zip));

/**
 * Every member's body, each chunk copied before the next is asked for (what the body contract
 * allows); `whole`: taken at once where the reader holds it (bodyNow), as extract does.
 */
async function readAllOf(access: RandomAccess, whole = false): Promise<Map<string, Buffer>> {
  const bodies = new Map<string, Buffer>();
  for await (const member of readZip(access, 1_000_000)) {
    const now = whole ? (member.bodyNow?.() ?? null) : null;
    const chunks: Buffer[] = now === null ? [] : [Buffer.from(now)];
    if (now === null) for await (const chunk of member.body()) chunks.push(Buffer.from(chunk));
    bodies.set(member.entry.name, Buffer.concat(chunks));
  }
  return bodies;
}

async function refusalOf(access: RandomAccess, whole = false): Promise<ContainerError> {
  const error: unknown = await readAllOf(access, whole).then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ContainerError);
  return error as ContainerError;
}

describe.each([
  ['on disk', onDisk, false],
  ['in memory', inMemory, false],
  ['on disk, taken whole where held', onDisk, true],
  ['in memory, taken whole where held', inMemory, true],
])('zip bodies %s', (_where, open: Open, whole: boolean) => {
  const readAll = (access: RandomAccess): Promise<Map<string, Buffer>> => readAllOf(access, whole);
  const refusal = (access: RandomAccess): Promise<ContainerError> => refusalOf(access, whole);
  describe('small members (read and inflated in one go)', () => {
    const text = Buffer.from('a line of text that deflates well\n'.repeat(40));

    it('reads stored, deflated and empty members exactly', async () => {
      const random = randomBytes(3000);
      const bodies = await readAll(
        await open(
          makeZip([
            { name: 'stored.bin', body: random },
            { name: 'deflated.txt', body: text, method: 'deflate' },
            { name: 'empty-stored' },
            { name: 'empty-deflated', method: 'deflate' },
            { name: 'dir/', unixMode: 0o040755 },
          ]),
        ),
      );
      expect(bodies.get('stored.bin')!.equals(random)).toBe(true);
      expect(bodies.get('deflated.txt')!.equals(text)).toBe(true);
      expect(bodies.get('empty-stored')!.length).toBe(0);
      expect(bodies.get('empty-deflated')!.length).toBe(0);
    });

    it('hands out an empty member as no chunk at all', async () => {
      for await (const member of readZip(await open(makeZip([{ name: 'e' }, { name: 'd', method: 'deflate' }])), 10)) {
        const chunks: Buffer[] = [];
        for await (const chunk of member.body()) chunks.push(chunk);
        expect(chunks).toEqual([]);
      }
    });

    it.each<[string, ZipMember, RegExp]>([
      [
        'that inflates past its declared size',
        { name: 'w', body: text, method: 'deflate', uncompressedSize: text.length - 1 },
        /^member inflates past its declared 1359 bytes$/u,
      ],
      [
        'that inflates far past it (a bomb)',
        { name: 'w', body: Buffer.alloc(MiB), method: 'deflate', uncompressedSize: 1000 },
        /^member inflates past its declared 1000 bytes$/u,
      ],
      [
        'that inflates to fewer bytes',
        { name: 'w', body: text, method: 'deflate', uncompressedSize: text.length + 1 },
        /^member has 1360 bytes, its header says 1361$/u,
      ],
      ['with truncated deflate data', { name: 'w', body: text, method: 'deflate', compressedSize: 20 }, /^deflate data is corrupt: unexpected end of file$/u],
      ['with no deflate data at all', { name: 'w', body: text, method: 'deflate', compressedSize: 0 }, /^deflate data is corrupt: unexpected end of file$/u],
      [
        'with corrupt deflate data',
        { name: 'w', body: Buffer.from([0xff, 0xff, 0xff, 0xff]), method: 8, uncompressedSize: 100 },
        /^deflate data is corrupt: invalid block type$/u,
      ],
      ['with a CRC mismatch (deflated)', { name: 'w', body: text, method: 'deflate', crc: (crc32(text) ^ 1) >>> 0 }, /^CRC-32 mismatch$/u],
      ['with a CRC mismatch (stored)', { name: 'w', body: text, crc: (crc32(text) ^ 0x80000000) >>> 0 }, /^CRC-32 mismatch$/u],
      ['with a CRC mismatch (empty)', { name: 'w', crc: 1 }, /^CRC-32 mismatch$/u],
    ])('refuses a member %s', async (_what, member, message) => {
      const error = await refusal(await open(makeZip([{ name: 'before', body: 'ok' }, member])));
      expect(error).toMatchObject({ code: 'MALFORMED_ARCHIVE', member: 'w' });
      expect(error.message).toMatch(message);
    });

    it('reads members that straddle cache blocks exactly', async () => {
      // 300 members of 1-7 KiB: many cross a 64 KiB grain or a 1 MiB block boundary.
      const members = Array.from({ length: 300 }, (_, i) => ({ name: `m${i}`, body: randomBytes(1000 + ((i * 997) % 6000)) }));
      const zip = makeZip(members.map((m, i) => ({ ...m, method: i % 2 === 0 ? ('deflate' as const) : ('stored' as const) })));
      const bodies = await readAll(await open(zip));
      for (const { name, body } of members) expect(bodies.get(name)!.equals(body), name).toBe(true);
    });

    it('reads a member of exactly the small limit, and one a byte over it, the same way', async () => {
      const edge = randomBytes(SMALL_MEMBER);
      const over = randomBytes(SMALL_MEMBER + 1);
      const bodies = await readAll(
        await open(
          makeZip([
            { name: 'edge', body: edge },
            { name: 'over', body: over },
            { name: 'edge-deflated', body: Buffer.alloc(SMALL_MEMBER, 7), method: 'deflate' },
            { name: 'over-deflated', body: Buffer.alloc(SMALL_MEMBER + 1, 7), method: 'deflate' },
          ]),
        ),
      );
      expect(bodies.get('edge')!.equals(edge)).toBe(true);
      expect(bodies.get('over')!.equals(over)).toBe(true);
      expect(bodies.get('edge-deflated')!.equals(Buffer.alloc(SMALL_MEMBER, 7))).toBe(true);
      expect(bodies.get('over-deflated')!.equals(Buffer.alloc(SMALL_MEMBER + 1, 7))).toBe(true);
    });
  });

  describe('large members (streamed)', () => {
    const big = randomBytes(3 * MiB + 12_345);

    it('gives the exact bytes to a consumer that copies each chunk before asking for the next', async () => {
      const bodies = await readAll(
        await open(
          makeZip([
            { name: 'big.bin', body: big },
            { name: 'after.txt', body: 'after' },
            { name: 'big-deflated.bin', body: big, method: 'deflate' },
          ]),
        ),
      );
      expect(bodies.get('big.bin')!.equals(big)).toBe(true);
      expect(bodies.get('after.txt')!.toString()).toBe('after');
      expect(bodies.get('big-deflated.bin')!.equals(big)).toBe(true);
    });

    it('hands out chunks of at most 1 MiB', async () => {
      for await (const member of readZip(await open(makeZip([{ name: 'big.bin', body: big }])), 10)) {
        const sizes: number[] = [];
        for await (const chunk of member.body()) sizes.push(chunk.length);
        expect(sizes).toEqual([MiB, MiB, MiB, 12_345]);
      }
    });

    it('refuses a CRC mismatch in a large stored member', async () => {
      const error = await refusal(await open(makeZip([{ name: 'w', body: big, crc: (crc32(big) ^ 1) >>> 0 }])));
      expect(error).toMatchObject({ code: 'MALFORMED_ARCHIVE', member: 'w', message: 'CRC-32 mismatch' });
    });

    it('refuses a large deflated member that inflates past its declared size', async () => {
      const zeros = Buffer.alloc(3 * MiB);
      const error = await refusal(await open(makeZip([{ name: 'w', body: zeros, method: 'deflate', uncompressedSize: 2 * MiB }])));
      expect(error).toMatchObject({ code: 'MALFORMED_ARCHIVE', member: 'w', message: `member inflates past its declared ${2 * MiB} bytes` });
    });

    it('lets a consumer leave a large body midway, then reads the next member', async () => {
      const access = await open(
        makeZip([
          { name: 'big.bin', body: big },
          { name: 'next.bin', body: big.subarray(0, 5000) },
        ]),
      );
      const seen = new Map<string, Buffer>();
      for await (const member of readZip(access, 10)) {
        for await (const chunk of member.body()) {
          seen.set(member.entry.name, Buffer.from(chunk));
          break;
        }
      }
      expect(seen.get('big.bin')!.equals(big.subarray(0, MiB))).toBe(true);
      expect(seen.get('next.bin')!.equals(big.subarray(0, 5000))).toBe(true);
    });
  });
});

describe('large stored members on disk', () => {
  it('are read into two reused buffers, one read ahead of the consumer', async () => {
    const big = randomBytes(5 * MiB);
    const access = await onDisk(makeZip([{ name: 'big.bin', body: big }]));
    for await (const member of readZip(access, 10)) {
      const reads = vi.spyOn(FileAccess.prototype, 'readInto');
      const buffers = new Set<ArrayBufferLike>();
      let at = 0;
      for await (const chunk of member.body()) {
        buffers.add(chunk.buffer);
        // When a chunk is handed out, the read of the next one has been asked for already.
        expect(reads.mock.calls.length).toBe(Math.min(5, at / MiB + 2));
        expect(chunk.equals(big.subarray(at, at + chunk.length))).toBe(true);
        at += chunk.length;
      }
      expect(at).toBe(big.length);
      expect(buffers.size).toBe(2);
    }
  });
});

describe('the walk', () => {
  it('reads a 20,000-member zip with a read per block, not per member, and without growing the stack', async () => {
    const members = Array.from({ length: 20_000 }, (_, i): ZipMember => ({
      name: `dir/file-${i}.txt`,
      body: `body ${i}`,
      method: i % 2 === 0 ? 'deflate' : 'stored',
    }));
    const zip = makeZip(members);
    const access = await onDisk(zip);
    const reads = vi.spyOn(FileAccess.prototype, 'readInto');
    let count = 0;
    for await (const member of readZip(access, 100_000)) {
      const chunks: Buffer[] = [];
      for await (const chunk of member.body()) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).toString()).toBe(`body ${count}`);
      count++;
    }
    expect(count).toBe(20_000);
    // About 1.7 MiB: the directory, the local headers and the bodies are each read once in 1 MiB blocks.
    expect(reads.mock.calls.length).toBeLessThan(20);
  });

  it('hands most small bodies over whole from the cache, without a read of their own', async () => {
    const members = Array.from({ length: 2000 }, (_, i): ZipMember => ({
      name: `dir/file-${i}.txt`,
      body: `body ${i} `.repeat(50),
      method: i % 2 === 0 ? 'deflate' : 'stored',
    }));
    const access = await onDisk(makeZip(members));
    const reads = vi.spyOn(FileAccess.prototype, 'readInto');
    let whole = 0;
    let count = 0;
    for await (const member of readZip(access, 100_000)) {
      const now = member.bodyNow?.() ?? null;
      if (now !== null) {
        whole += 1;
        expect(() => member.body()).toThrow(/only once/u);
      }
      const chunks: Buffer[] = now === null ? [] : [now];
      if (now === null) for await (const chunk of member.body()) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      expect(body.toString()).toBe(`body ${count} `.repeat(50));
      count++;
    }
    expect(count).toBe(2000);
    // The first member (nothing cached yet) and those whose bytes start a new block wait for a read.
    expect(whole).toBeGreaterThan(1990);
    expect(reads.mock.calls.length).toBeLessThan(10);
  });
});
