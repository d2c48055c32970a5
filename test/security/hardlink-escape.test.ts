import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { missingTool, pythonExtract } from '../helpers/real-extractors.js';

// Hard links are refused whatever they point at (design §3 HARDLINK). The dangerous shape
// is a link to a file outside followed by a regular member of the same name: an extractor
// that opens the existing path for writing writes through the link into the victim.

const sandbox = useSandbox();
const payload = 'pwned\n';
const original = 'the victim, untouched\n';

function hardlink(name: string, linkname: string): TarMember {
  return { name, type: '1', linkname };
}

/** A victim file beside the destination, with known content. */
function victim(): string {
  const path = join(sandbox().outside, 'victim');
  writeFileSync(path, original);
  return path;
}

describe('hard links', () => {
  it('to an absolute path, then a regular file of the same name', async () => {
    const path = victim();
    const archive = makeTar([hardlink('lnk', path), { name: 'lnk', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'lnk' });
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('to `../outside/victim`, then a regular file of the same name', async () => {
    const path = victim();
    const archive = makeTar([hardlink('lnk', '../outside/victim'), { name: 'lnk', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'lnk' });
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('to a member of the same archive (harmless target, still refused)', async () => {
    const archive = makeTar([{ name: 'a.txt', body: 'a' }, hardlink('b.txt', 'a.txt')]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'b.txt' });
  });

  it('with the target carried by a GNU long link name', async () => {
    const path = victim();
    const longLink = `${'./'.repeat(60)}../outside/victim`;
    const archive = makeTar([
      { name: 'lnk', type: '1', linkname: 'x', longLink, magic: 'gnu' },
      { name: 'lnk', body: payload },
    ]);
    const report = await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'lnk' });
    expect(report.findings[0]?.message).toContain('../outside/victim');
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('with the target carried by a PAX linkpath', async () => {
    const path = victim();
    const archive = makeTar([
      { name: 'lnk', type: '1', linkname: 'harmless', pax: { linkpath: path } },
      { name: 'lnk', body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'lnk' });
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('to a file through a symlinked folder (link to link)', async () => {
    const path = victim();
    const archive = makeTar([{ name: 'dir', type: '2', linkname: '../outside' }, hardlink('lnk', 'dir/victim'), { name: 'lnk', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'dir' });
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('a hard link whose name is itself hostile reports both', async () => {
    const archive = makeTar([hardlink('../outside/lnk', '/etc/passwd')]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: '../outside/lnk', codes: ['HARDLINK', 'PARENT_TRAVERSAL'] });
    expect(existsSync(join(sandbox().outside, 'lnk'))).toBe(false);
  });

  it('is a real escape: Python tarfile without a filter writes through the link into the victim', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const escape = pythonExtract((scratch) => {
      writeFileSync(join(scratch.outside, 'victim'), original);
      return makeTar([hardlink('lnk', '../outside/victim'), { name: 'lnk', body: payload }]);
    });
    try {
      expect(readFileSync(join(escape.sandbox.outside, 'victim'), 'utf8')).toBe(payload);
    } finally {
      escape.sandbox.cleanup();
    }
  });
});
