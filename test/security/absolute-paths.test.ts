import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { gnuTarExtract, missingTool } from '../helpers/real-extractors.js';

// Absolute names aim at a path inside the sandbox's victim folder, so an escape would be
// seen there (and nothing real is ever at risk). node-tar CVE-2021-32804 stripped only one
// of several leading slashes; Windows adds UNC and device namespaces.

const sandbox = useSandbox();
const payload = 'pwned\n';

/** The victim path a test aims at; must not exist after any refusal. */
function target(): string {
  return join(sandbox().outside, 'moo');
}

describe('absolute tar names', () => {
  const shapes: [string, (victim: string) => string][] = [
    ['/victim', (victim) => victim],
    ['//victim', (victim) => `/${victim}`],
    ['////victim (node-tar CVE-2021-32804)', (victim) => `///${victim}`],
    ['/./victim', (victim) => `/.${victim}`],
  ];
  it.each(shapes)('refuses %s', async (_label, shape) => {
    const name = shape(target());
    await expectRefused(sandbox(), makeTar([{ name, body: payload }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(target())).toBe(false);
  });

  it('refuses an absolute PAX path hiding behind a relative ustar name', async () => {
    const name = target();
    await expectRefused(sandbox(), makeTar([{ name: 'moo', pax: { path: name }, body: payload }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(target())).toBe(false);
  });

  it('refuses an absolute GNU long name', async () => {
    const name = `${sandbox().outside}/${'m'.repeat(120)}`;
    await expectRefused(sandbox(), makeTar([{ name: 'moo', longName: name, body: payload, magic: 'gnu' }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(name)).toBe(false);
  });

  it('refuses an absolute name built from the ustar prefix', async () => {
    const archive = makeTar([{ name: 'moo', prefix: sandbox().outside, body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'ABSOLUTE_PATH', member: target() });
    expect(existsSync(target())).toBe(false);
  });

  it('refuses an absolute directory entry, creating nothing outside', async () => {
    const name = `${sandbox().outside}/newdir/`;
    await expectRefused(sandbox(), makeTar([{ name, type: '5' }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(join(sandbox().outside, 'newdir'))).toBe(false);
  });

  it('is a real escape: GNU tar -P writes the absolute name', (ctx) => {
    const missing = missingTool('tar');
    if (missing !== null) ctx.skip(missing);
    const escape = gnuTarExtract((scratch) => makeTar([{ name: join(scratch.outside, 'moo'), body: payload }]), '-P');
    try {
      expect(escape.status).toBe(0);
      expect(readFileSync(join(escape.sandbox.outside, 'moo'), 'utf8')).toBe(payload);
    } finally {
      escape.sandbox.cleanup();
    }
  });
});

describe('Windows absolute, UNC and device names', () => {
  it.each([
    ['//host/share/x', ['ABSOLUTE_PATH']],
    ['\\\\host\\share\\x', ['ABSOLUTE_PATH', 'BACKSLASH']],
    ['\\\\?\\C:\\x', ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME']],
    ['\\\\.\\C:\\x', ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH']],
    ['\\??\\C:\\x', ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME']],
    ['\\x', ['ABSOLUTE_PATH', 'BACKSLASH']],
  ] as const)('refuses %j in a tar', async (name, codes) => {
    await expectRefused(sandbox(), makeTar([{ name, body: payload }]), { code: 'ABSOLUTE_PATH', member: name, codes });
  });

  it.each([
    ['C:foo', ['DRIVE_PATH']],
    ['C:/foo', ['DRIVE_PATH']],
    ['C:\\foo', ['DRIVE_PATH', 'BACKSLASH']],
    ['a/C:x', ['DRIVE_PATH']],
  ] as const)('refuses the drive path %j', async (name, codes) => {
    await expectRefused(sandbox(), makeTar([{ name, body: payload }]), { code: 'DRIVE_PATH', member: name, codes });
  });
});

describe('absolute zip names', () => {
  it('refuses an absolute zip name aimed at the victim folder', async () => {
    const name = target();
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'ABSOLUTE_PATH', member: name });
    expect(existsSync(target())).toBe(false);
  });

  it('refuses a UNC zip name', async () => {
    await expectRefused(sandbox(), makeZip([{ name: '//host/share/x', body: payload }]), { code: 'ABSOLUTE_PATH', member: '//host/share/x' });
  });

  it('refuses a drive-letter zip name written by a Windows tool', async () => {
    const name = 'C:\\Users\\Public\\x';
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'DRIVE_PATH', member: name, codes: ['DRIVE_PATH', 'BACKSLASH'] });
  });
});
