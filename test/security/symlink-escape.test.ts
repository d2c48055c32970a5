import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { missingTool, pythonExtract } from '../helpers/real-extractors.js';

// Symbolic links are refused whatever they point at (design §3 SYMLINK): every shape below
// escapes some real extractor, by a link followed later in the same archive. The finding
// names the first link, and nothing (no file, no folder, no link) appears anywhere.

const sandbox = useSandbox();
const payload = 'pwned\n';

function symlink(name: string, linkname: string): TarMember {
  return { name, type: '2', linkname };
}

describe('design §7 link shapes', () => {
  it('symlink `moo -> <outside>/moo` then a file `moo`', async () => {
    const victim = join(sandbox().outside, 'moo');
    const archive = makeTar([symlink('moo', victim), { name: 'moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'moo' });
    expect(existsSync(victim)).toBe(false);
  });

  it('symlink `tmp -> <outside>` then `tmp/moo`', async () => {
    const archive = makeTar([symlink('tmp', sandbox().outside), { name: 'tmp/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'tmp' });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('`cur -> .`, `par -> cur/..`, then `par/outside/moo`', async () => {
    const archive = makeTar([symlink('cur', '.'), symlink('par', 'cur/..'), { name: 'par/outside/moo', body: payload }]);
    const report = await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'cur' });
    expect(report.findings.map((finding) => finding.member)).not.toContain('par/outside/moo');
  });

  it('`s -> ..` then `s/a/b/c`: no folder appears outside', async () => {
    const archive = makeTar([symlink('s', '..'), { name: 's/a/', type: '5' }, { name: 's/a/b/', type: '5' }, { name: 's/a/b/c', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 's' });
    expect(existsSync(join(sandbox().root, 'a'))).toBe(false);
  });

  it('a symlink whose target is harmless is still refused (every target)', async () => {
    await expectRefused(sandbox(), makeTar([{ name: 'real.txt', body: 'x' }, symlink('alias.txt', 'real.txt')]), { code: 'SYMLINK', member: 'alias.txt' });
  });

  it('a symlink with a PAX linkpath hiding behind an innocent link name', async () => {
    const archive = makeTar([
      { name: 'lnk', type: '2', linkname: 'harmless', pax: { linkpath: sandbox().outside } },
      { name: 'lnk/moo', body: payload },
    ]);
    const report = await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'lnk' });
    expect(report.findings[0]?.message).toContain(sandbox().outside);
  });

  it('is a real escape: Python tarfile without a filter writes through `tmp -> <outside>`', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const escape = pythonExtract((scratch) => makeTar([symlink('tmp', scratch.outside), { name: 'tmp/moo', body: payload }]));
    try {
      expect(readlinkSync(join(escape.sandbox.dest, 'tmp'))).toBe(escape.sandbox.outside);
      expect(readFileSync(join(escape.sandbox.outside, 'moo'), 'utf8')).toBe(payload);
    } finally {
      escape.sandbox.cleanup();
    }
  });
});

describe('node-tar advisories', () => {
  it('CVE-2021-32803: folder `foo/`, then symlink `foo -> <outside>`, then `foo/moo` (folder cache poisoning)', async () => {
    const archive = makeTar([{ name: 'foo/', type: '5' }, symlink('foo', sandbox().outside), { name: 'foo/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'foo', codes: ['SYMLINK', 'NAME_COLLISION'] });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('CVE-2021-32804: a link target with repeated leading slashes', async () => {
    const archive = makeTar([
      { name: 'lnk', type: '1', linkname: `///${join(sandbox().outside, 'victim')}` },
      { name: 'lnk', body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'lnk' });
  });

  it('CVE-2021-37701: folder `a/b/`, symlink `a\\b -> <outside>`, then `a/b/moo` (backslash separator)', async () => {
    const archive = makeTar([{ name: 'a/b/', type: '5' }, symlink('a\\b', sandbox().outside), { name: 'a/b/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'a\\b', codes: ['SYMLINK', 'BACKSLASH'] });
  });

  it('CVE-2021-37701: folder `FOO/`, symlink `foo -> <outside>`, then `FOO/moo` (case-insensitive cache)', async () => {
    const archive = makeTar([{ name: 'FOO/', type: '5' }, symlink('foo', sandbox().outside), { name: 'FOO/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'foo', codes: ['SYMLINK', 'NAME_COLLISION'] });
  });

  it('CVE-2021-37712: NFC folder, NFD symlink of the same name, then a file under it (unicode cache)', async () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    const archive = makeTar([{ name: `${nfc}/`, type: '5' }, symlink(nfd, sandbox().outside), { name: `${nfc}/moo`, body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: nfd, codes: ['SYMLINK', 'NAME_COLLISION'] });
  });

  it('CVE-2021-37712: `ﬀ` ligature folder and an `ff` symlink (full case folding)', async () => {
    const archive = makeTar([{ name: '\ufb00/', type: '5' }, symlink('ff', sandbox().outside), { name: '\ufb00/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'ff', codes: ['SYMLINK', 'NAME_COLLISION'] });
  });
});

describe('tar-fs advisories', () => {
  it('CVE-2024-12905: symlink `root -> ..` then `root/outside/moo`', async () => {
    const archive = makeTar([symlink('root', '..'), { name: 'root/outside/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'root' });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('CVE-2024-12905: a hardlink made through a symlink that points out', async () => {
    const archive = makeTar([symlink('out', '../outside'), { name: 'grab', type: '1', linkname: 'out/victim' }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'out' });
  });

  it('CVE-2025-48387: a symlink inside the destination, then a file written through it', async () => {
    const archive = makeTar([{ name: 'data/', type: '5' }, symlink('data/link', '../../outside'), { name: 'data/link/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'data/link' });
    expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
  });

  it('CVE-2025-48387: a chain of in-bounds links that together point out', async () => {
    const archive = makeTar([symlink('a', '.'), symlink('b', 'a/a/a/..'), symlink('c', 'b/..'), { name: 'c/outside/moo', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'a' });
  });
});
