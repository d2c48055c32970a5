import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { openArchive } from '../../src/readers/open-archive.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const LONG_NAME = `models/${'n'.repeat(300)}/weights.bin`;

let sandbox: Sandbox | null = null;
afterEach(() => {
  sandbox?.cleanup();
  sandbox = null;
});

/** The archive, written to a file in a fresh sandbox and opened from there. */
async function openOnDisk(tar: Buffer): ReturnType<typeof openArchive> {
  sandbox = makeSandbox();
  const path = join(sandbox.root, 'a.tar');
  writeFileSync(path, tar);
  return openArchive(path, DEFAULT_LIMITS);
}

/** Every member's name and a copy of its body, read from the archive as a file on disk. */
async function readBack(tar: Buffer): Promise<{ name: string; body: Buffer }[]> {
  const archive = await openOnDisk(tar);
  const members: { name: string; body: Buffer }[] = [];
  try {
    for await (const member of archive.members()) {
      const parts: Buffer[] = [];
      for await (const chunk of member.body()) parts.push(Buffer.from(chunk));
      members.push({ name: member.entry.name, body: Buffer.concat(parts) });
    }
  } finally {
    await archive.close();
  }
  return members;
}

describe('the tar walk across the 1 MiB read-ahead window', () => {
  // The first member's size moves the PAX header, its body and the next header across the
  // window's edge, one block at a time: names kept from a meta header survive the refill.
  it.each([-2048, -1536, -1024, -512, 0, 512])('keeps a PAX name whose header lies %i bytes from the window edge', async (shift) => {
    const first = randomBytes(MiB - 512 + shift);
    const second = randomBytes(3 * MiB + 7);
    const third = Buffer.from('tail');
    const members = await readBack(
      makeTar([
        { name: 'first.bin', body: first },
        { name: 'x', pax: { path: LONG_NAME, comment: 'c'.repeat(700) }, body: second },
        { name: 'third.txt', body: third },
      ]),
    );
    expect(members.map((member) => member.name)).toEqual(['first.bin', LONG_NAME, 'third.txt']);
    expect(members[0]!.body.equals(first)).toBe(true);
    expect(members[1]!.body.equals(second)).toBe(true);
    expect(members[2]!.body.equals(third)).toBe(true);
  });

  it('walks past bodies it is not asked for, large and small', async () => {
    const big = randomBytes(2 * MiB + 3);
    const archive = await openOnDisk(
      makeTar([
        { name: 'big.bin', body: big },
        { name: 'small.txt', body: 'abc' },
        { name: 'last.txt', body: 'end' },
      ]),
    );
    const seen: string[] = [];
    try {
      for await (const member of archive.members()) {
        seen.push(member.entry.name);
        if (member.entry.name === 'last.txt') {
          const parts: Buffer[] = [];
          for await (const chunk of member.body()) parts.push(Buffer.from(chunk));
          expect(Buffer.concat(parts).toString()).toBe('end');
        }
      }
    } finally {
      await archive.close();
    }
    expect(seen).toEqual(['big.bin', 'small.txt', 'last.txt']);
  });

  it('hands a small body over whole without waiting, and a large one only in chunks', async () => {
    const big = randomBytes(2 * MiB + 3);
    const archive = await openOnDisk(
      makeTar([
        { name: 'small.txt', body: 'abc' },
        { name: 'empty.txt', body: '' },
        { name: 'big.bin', body: big },
        { name: 'last.txt', body: 'end' },
      ]),
    );
    const seen: [string, string | null][] = [];
    try {
      for await (const member of archive.members()) {
        const whole = member.bodyNow?.() ?? null;
        seen.push([member.entry.name, whole === null ? null : whole.toString()]);
        // Taken whole, the body is read: a second read of it is refused.
        if (whole !== null) expect(() => member.body()).toThrow(/only once/u);
        if (member.entry.name === 'big.bin') expect((await collectAll(member.body())).equals(big)).toBe(true);
      }
    } finally {
      await archive.close();
    }
    expect(seen).toEqual([
      ['small.txt', 'abc'],
      ['empty.txt', null],
      ['big.bin', null],
      ['last.txt', 'end'],
    ]);
  });

  it('leaves a truncated body to body(), which the walk then refuses', async () => {
    const whole = makeTar([{ name: 'cut.txt', body: 'x'.repeat(5000) }]);
    const archive = await openOnDisk(whole.subarray(0, 512 + 3000));
    try {
      const walk = (async () => {
        for await (const member of archive.members()) {
          expect(member.bodyNow?.()).toBeNull();
          expect((await collectAll(member.body())).length).toBe(3000);
        }
      })();
      await expect(walk).rejects.toThrow(/truncated member data/u);
    } finally {
      await archive.close();
    }
  });
});

async function collectAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}
