import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar, type TarMember } from '../helpers/make-tar.js';
import { missingTool, pythonExtract } from '../helpers/real-extractors.js';

// The 2024-2025 bypasses of CPython tarfile's extraction filters, in the shapes of CPython's
// own regression tests (Lib/test/test_tarfile.py). Each chains links that look in-bounds one
// by one and end up outside. slipguard refuses the first link, so the chain never starts;
// scan still reports every link, so a report shows the whole chain.

const sandbox = useSandbox();
const original = 'the flag, untouched\n';

function symlink(name: string, linkname: string): TarMember {
  return { name, type: '2', linkname };
}
function hardlink(name: string, linkname: string): TarMember {
  return { name, type: '1', linkname };
}
function dir(name: string, mode = 0o777): TarMember {
  return { name: name.endsWith('/') ? name : `${name}/`, type: '5', mode };
}
/** Names over 100 bytes go in a PAX path, as Python writes them. */
function long(member: TarMember): TarMember {
  const name = String(member.name);
  const linkname = member.linkname === undefined ? undefined : String(member.linkname);
  const pax: Record<string, string> = {};
  if (Buffer.byteLength(name) > 100) pax.path = name;
  if (linkname !== undefined && Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
  return Object.keys(pax).length === 0 ? member : { ...member, pax };
}

/**
 * CVE-2025-4517: sixteen levels of 247-byte folders reached through one-letter symlinks, so
 * the path a filter checks fits in PATH_MAX but its expansion does not; realpath stops
 * expanding, and a final link climbs out unchecked.
 */
function pathMaxChain(): TarMember[] {
  const steps = 'abcdefghijklmnop';
  const component = 'd'.repeat(247);
  const members: TarMember[] = [];
  let path = '';
  for (const step of steps) {
    members.push(long(dir(`${path}${component}`)));
    members.push(long(symlink(`${path}${step}`, component)));
    path = `${path}${component}/`;
  }
  const linkpath = `${[...steps].join('/')}/${'l'.repeat(254)}`;
  members.push(long(symlink(linkpath, Array(steps.length).fill('..').join('/'))));
  members.push(long(symlink('escape', `${linkpath}/..`)));
  members.push(hardlink('flaglink', 'escape/flag'));
  members.push({ name: 'flaglink', body: 'overwrite' });
  members.push({ name: 'escape/newfile', body: 'new' });
  return members;
}

describe('CPython tarfile filter bypasses', () => {
  it('CVE-2025-4517: the PATH_MAX symlink chain', async () => {
    const flag = join(sandbox().outside, 'flag');
    writeFileSync(flag, original);
    const archive = makeTar(pathMaxChain());
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'a' });
    expect(readFileSync(flag, 'utf8')).toBe(original);
    expect(existsSync(join(sandbox().root, 'newfile'))).toBe(false);

    // scan reports every link of the chain, not just the first.
    const report = await scan(archive);
    const links = report.findings.filter((finding) => finding.code === 'SYMLINK' || finding.code === 'HARDLINK').map((finding) => finding.member);
    const steps = pathMaxChain()
      .filter((member) => member.type === '1' || member.type === '2')
      .map((member) => String(member.pax?.path ?? member.name));
    expect(steps).toHaveLength(19);
    expect(links).toEqual(steps);
  });

  it('CVE-2025-4138: `escape -> link/link/../../link-here`, then `link -> ./` (exfiltration via symlink)', async () => {
    const archive = makeTar([symlink('escape', 'link/link/../../link-here'), symlink('link', './')]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'escape' });
  });

  it('CVE-2025-4138: `current -> .`, `current/parent -> ..`, then `parent/evil`', async () => {
    const archive = makeTar([symlink('current', '.'), symlink('current/parent', '..'), { name: 'parent/evil', body: 'evil' }]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'current' });
    expect(existsSync(join(sandbox().root, 'evil'))).toBe(false);
  });

  it('CVE-2025-4330: a hardlink to a symlink that was re-pointed (sneaky hardlink fallback)', async () => {
    const archive = makeTar([
      { name: 'a/t/dummy', body: '' },
      dir('b/', 0o755),
      symlink('c', 'a/t'),
      symlink('c/escape', '../../link_here'),
      symlink('c', 'b'),
      hardlink('boom', 'c/escape'),
    ]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'c' });
  });

  it('CVE-2024-12718: a folder whose metadata update follows a re-pointed symlink (chmod outside)', async () => {
    const archive = makeTar([symlink('a/pwn', '.'), dir('a/pwn/'), symlink('a/pwn', 'x/../'), symlink('a/x', '../')]);
    await expectRefused(sandbox(), archive, { code: 'SYMLINK', member: 'a/pwn' });
    // The sandbox snapshot (modes included) is unchanged: the outside folder kept its mode.
  });

  it('CVE-2024-12718: a hardlink to an outside file, then a member that sets its mode', async () => {
    const flag = join(sandbox().outside, 'flag');
    writeFileSync(flag, original, { mode: 0o600 });
    const archive = makeTar([hardlink('f', '../outside/flag'), { name: 'f', body: original, mode: 0o4777 }]);
    await expectRefused(sandbox(), archive, { code: 'HARDLINK', member: 'f' });
  });

  it('is a real escape: the PATH_MAX chain overwrites the flag under Python tarfile without a filter', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const escape = pythonExtract((scratch) => {
      writeFileSync(join(scratch.outside, 'flag'), original);
      // From dest, `escape` resolves to dest's parent: the scratch sandbox's root.
      return makeTar(
        pathMaxChain().map((member) => (member.name === 'flaglink' && member.type === '1' ? hardlink('flaglink', 'escape/outside/flag') : member)),
      );
    });
    try {
      if (escape.status !== 0) ctx.skip(`python3 could not build the chain here: ${escape.stderr.trim().split('\n').pop() ?? ''}`);
      expect(readFileSync(join(escape.sandbox.outside, 'flag'), 'utf8')).toBe('overwrite');
      expect(readFileSync(join(escape.sandbox.root, 'newfile'), 'utf8')).toBe('new');
    } finally {
      escape.sandbox.cleanup();
    }
  });
});
