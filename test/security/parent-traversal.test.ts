import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { gzipTar, makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';
import { missingTool, pythonExtract } from '../helpers/real-extractors.js';

// `..` components: the classic archive slip (CVE-2007-4559 in Python's tarfile, zip-slip in
// every zip library). Refused in any position, whichever header carries the name.

const sandbox = useSandbox();
const payload = 'pwned\n';

describe('parent traversal in tar names', () => {
  it.each(['../outside/moo', '../moo', 'tmp/../../moo', './../outside/moo', 'foo/../bar', 'foo/bar/..', 'a/b/c/../../../../outside/moo'])(
    'refuses %j',
    async (name) => {
      await expectRefused(sandbox(), makeTar([{ name, body: payload }]), { code: 'PARENT_TRAVERSAL', member: name });
      expect(existsSync(join(sandbox().outside, 'moo'))).toBe(false);
    },
  );

  it('refuses a bare `..` directory entry', async () => {
    await expectRefused(sandbox(), makeTar([{ name: '../', type: '5' }]), { code: 'PARENT_TRAVERSAL', member: '../' });
  });

  it('refuses `..` that comes after innocent members, writing none of them', async () => {
    const archive = makeTar([
      { name: 'model_config.yaml', body: 'a: 1\n' },
      { name: 'weights/', type: '5' },
      { name: 'weights/w.bin', body: Buffer.alloc(4096, 7) },
      { name: 'weights/../../outside/moo', body: payload },
    ]);
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: 'weights/../../outside/moo' });
  });

  it('refuses `..` carried by a PAX path behind an innocent ustar name', async () => {
    const archive = makeTar([{ name: 'innocent.txt', pax: { path: '../outside/moo' }, body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: '../outside/moo' });
  });

  it('refuses `..` carried by a GNU long name', async () => {
    const long = `${'d'.repeat(120)}/../../outside/moo`;
    const archive = makeTar([{ name: 'innocent.txt', longName: long, body: payload, magic: 'gnu' }]);
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: long });
  });

  it('refuses `..` split across the ustar prefix and name fields', async () => {
    const archive = makeTar([{ name: 'outside/moo', prefix: '..', body: payload }]);
    await expectRefused(sandbox(), archive, { code: 'PARENT_TRAVERSAL', member: '../outside/moo' });
  });

  it('refuses `..` in a gzip-compressed tar', async () => {
    await expectRefused(sandbox(), gzipTar([{ name: '../outside/moo', body: payload }]), { code: 'PARENT_TRAVERSAL', member: '../outside/moo' });
  });

  it('refuses `..` read from a file path, not just a buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipguard-archive-'));
    try {
      const path = join(dir, 'model.nemo');
      writeFileSync(path, makeTar([{ name: '../outside/moo', body: payload }]));
      await expectRefused(sandbox(), path, { code: 'PARENT_TRAVERSAL', member: '../outside/moo' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is a real escape: Python tarfile without a filter writes ../outside/moo', (ctx) => {
    const missing = missingTool('python3');
    if (missing !== null) ctx.skip(missing);
    const escape = pythonExtract(makeTar([{ name: '../outside/moo', body: payload }]));
    try {
      expect(readFileSync(join(escape.sandbox.outside, 'moo'), 'utf8')).toBe(payload);
    } finally {
      escape.sandbox.cleanup();
    }
  });
});

describe('parent traversal in zip names (zip-slip)', () => {
  it.each(['../outside/moo', 'a/../../outside/moo', '..'])('refuses %j', async (name) => {
    await expectRefused(sandbox(), makeZip([{ name, body: payload }]), { code: 'PARENT_TRAVERSAL', member: name });
  });
});

describe('look-alikes that are not traversal', () => {
  it('accepts `a/b..c.txt`, `..foo`, `foo..` names and `./x`', async () => {
    const archive = makeTar([
      { name: 'a/b..c.txt', body: '1' },
      { name: '..foo', body: '2' },
      { name: 'foo..bar', body: '3' },
      { name: './x', body: '4' },
    ]);
    await expectExtracted(sandbox(), archive, { a: null, 'a/b..c.txt': '1', '..foo': '2', 'foo..bar': '3', x: '4' });
  });
});
